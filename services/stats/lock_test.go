package stats

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// auditAppendLock is the audit log's advisory lock (services/audit), held
// through each append of a batch of audit events.
const auditAppendLock = 7436101

// The statistics receiver does not wait for the audit log, which shares
// the PostgreSQL database: a receiver batch and an audit append once took
// the same advisory lock and ran one at a time.
func TestReceiverLockIsItsOwn(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	d := dbtest.Open(t, e, "stats")
	ctx := context.Background()
	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	held, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	if _, err := held.Exec(`SELECT pg_advisory_xact_lock($1)`, auditAppendLock); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tx, err := d.BeginTx(tctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := lockReceiver(tctx, d, tx); err != nil {
		t.Fatalf("receiver lock while the audit log appends: %v", err)
	}
}
