package db_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func TestMigrateIsIdempotentAndReadinessFollowsIt(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ctx := context.Background()
		if e.Name == db.Postgres {
			// Before migration the service role does not even exist.
			if d, err := db.Open(ctx, e.Config, "identity"); err == nil {
				if ok, err := d.SchemaCurrent(ctx); err == nil && ok {
					t.Fatal("schema reported current before any migration")
				}
				d.Close()
			}
		} else {
			d, err := db.Open(ctx, e.Config, "identity")
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := d.SchemaCurrent(ctx); ok {
				t.Fatal("empty SQLite file reported current")
			}
			d.Close()
		}
		for range 2 {
			if err := db.Migrate(ctx, e.Config, "identity", "audit"); err != nil {
				t.Fatalf("migrate: %v", err)
			}
		}
		d, err := db.Open(ctx, e.Config, "identity")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		ok, err := d.SchemaCurrent(ctx)
		if err != nil || !ok {
			t.Fatalf("schema current = %v, %v after migrate", ok, err)
		}
	})
}

// On PostgreSQL each service's role reaches its own schema only, and the
// audit role can only read and append.
func TestPostgresRolesAreConfinedToTheirSchema(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, e.Config, "identity", "audit"); err != nil {
		t.Fatal(err)
	}
	identity, err := db.Open(ctx, e.Config, "identity")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { identity.Close() })
	audit, err := db.Open(ctx, e.Config, "audit")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })

	mustFail := func(t *testing.T, d *db.DB, q, want string) {
		t.Helper()
		_, err := d.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: err = %v, want %q", q, err, want)
		}
	}
	tables := func(d *db.DB, schema string) []string {
		admin, err := sql.Open("postgres", e.AdminURL)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		rows, err := admin.QueryContext(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'goose_db_version'`, schema)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			out = append(out, schema+"."+s)
		}
		if len(out) == 0 {
			t.Fatalf("schema %s has no tables", schema)
		}
		return out
	}
	t.Run("no reach into another schema", func(t *testing.T) {
		for _, tbl := range tables(audit, "audit") {
			mustFail(t, identity, `SELECT * FROM `+tbl, "permission denied")
		}
		for _, tbl := range tables(identity, "identity") {
			mustFail(t, audit, `SELECT * FROM `+tbl, "permission denied")
		}
	})
	t.Run("audit role cannot update, delete or truncate", func(t *testing.T) {
		admin, err := sql.Open("postgres", e.AdminURL)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		for _, tbl := range tables(audit, "audit") {
			var col string
			name := strings.TrimPrefix(tbl, "audit.")
			if err := admin.QueryRowContext(ctx, `SELECT column_name FROM information_schema.columns
				WHERE table_schema = 'audit' AND table_name = $1 ORDER BY ordinal_position LIMIT 1`, name).Scan(&col); err != nil {
				t.Fatal(err)
			}
			mustFail(t, audit, `UPDATE `+tbl+` SET `+col+` = `+col, "permission denied")
			mustFail(t, audit, `DELETE FROM `+tbl, "permission denied")
			mustFail(t, audit, `TRUNCATE `+tbl, "permission denied")
		}
	})
	t.Run("services cannot change the schema", func(t *testing.T) {
		mustFail(t, identity, `CREATE TABLE identity.planted (x int)`, "permission denied")
		mustFail(t, identity, `CREATE TABLE public.planted (x int)`, "permission denied")
		mustFail(t, audit, `DROP TABLE audit.goose_db_version`, "must be owner")
		mustFail(t, identity, `INSERT INTO identity.goose_db_version (version_id, is_applied) VALUES (9999, true)`, "permission denied")
	})
}

func TestRebind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		e        db.Engine
		in, want string
	}{
		{db.SQLite, `INSERT INTO t VALUES ($1, $2), ($3, $10)`, `INSERT INTO t VALUES (?1, ?2), (?3, ?10)`},
		{db.SQLite, `SELECT '$1' , $1`, `SELECT '$1' , ?1`},
		{db.SQLite, `SELECT $$`, `SELECT $$`},
		{db.Postgres, `INSERT INTO t VALUES ($1, $2)`, `INSERT INTO t VALUES ($1, $2)`},
	}
	for _, tc := range cases {
		if got := db.Rebind(tc.e, tc.in); got != tc.want {
			t.Errorf("Rebind(%s, %q) = %q, want %q", tc.e, tc.in, got, tc.want)
		}
	}
}

// Each service connection is set up for short statements in its own
// schema: parallel plans are off (starting workers took longer than the
// statements, and made a group's duplicate lookup 10-40 ms once its table
// grew), bytea renders in hex.
func TestPostgresSessionSettings(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, e.Config, "intake"); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, e.Config, "intake")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	for setting, want := range map[string]string{
		"search_path": "intake", "bytea_output": "hex", "max_parallel_workers_per_gather": "0",
	} {
		var got string
		if err := d.QueryRowContext(ctx, `SELECT current_setting($1)`, setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
}
