package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// A registration's wrap (about 2.1 KB with post-quantum keys) stays in its
// row: moved out of line, it cost every registration two TOAST chunks and
// every read their lookup.
func TestWrapsStayInTheirRows(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.Postgres(t))
	police := env.Org("police")
	for range 5 {
		env.Register(t, police, intaketest.Registration("Amina Benali"))
	}
	a := adminDB(t, env)
	var wrap, toast int64
	if err := a.QueryRow(`SELECT MIN(length(wrap)) FROM wraps`).Scan(&wrap); err != nil {
		t.Fatal(err)
	}
	if err := a.QueryRow(`SELECT pg_relation_size(reltoastrelid) FROM pg_class
		WHERE oid = 'intake.wraps'::regclass`).Scan(&toast); err != nil {
		t.Fatal(err)
	}
	if wrap < 2048 || toast != 0 {
		t.Fatalf("smallest wrap %d bytes, TOAST table %d bytes; want wraps over 2 KB and no TOAST", wrap, toast)
	}
}
