package db_test

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// A change to the outbox tables is written once, in pkg/outbox/schema,
// and nrm migrate applies it to every service with an outbox (and to no
// other); a database without it is not current, and the services' roles
// may read its bookkeeping but not rewrite it.
func TestOutboxChangeReachesEveryOutbox(t *testing.T) {
	change := fstest.MapFS{"0001_probe.sql": {Data: []byte(
		"-- +goose Up\nCREATE INDEX outbox_probe ON outbox (created_at);\n-- +goose Down\nDROP INDEX outbox_probe;\n")}}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ctx := context.Background()
		services := []string{"identity", "audit", "referral", "stats"}
		if err := db.Migrate(ctx, e.Config, services...); err != nil {
			t.Fatal(err)
		}
		restore := db.SetOutboxChanges(func(string) (fs.FS, error) { return change, nil })
		t.Cleanup(restore)
		dbs := map[string]*db.DB{}
		for _, s := range services {
			d, err := db.Open(ctx, e.Config, s)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			dbs[s] = d
			current, err := d.SchemaCurrent(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := s == "audit"; current != want {
				t.Errorf("%s before the change: current %v, want %v", s, current, want)
			}
		}
		if err := db.Migrate(ctx, e.Config, services...); err != nil {
			t.Fatal(err)
		}
		for s, d := range dbs {
			if current, err := d.SchemaCurrent(ctx); err != nil || !current {
				t.Errorf("%s after the change: current %v, %v", s, current, err)
			}
			q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'outbox_probe'`
			if e.Name == db.Postgres {
				q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'outbox_probe'`
			}
			var n int
			if err := d.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 0, false: 1}[s == "audit"]; n != want {
				t.Errorf("%s: %d probe indexes, want %d", s, n, want)
			}
			if e.Name == db.Postgres && s != "audit" {
				if _, err := d.ExecContext(ctx, `DELETE FROM outbox_goose_db_version`); err == nil {
					t.Errorf("%s's role rewrote the outbox changes' bookkeeping", s)
				}
			}
		}
	})
}
