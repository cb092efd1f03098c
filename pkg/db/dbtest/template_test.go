package dbtest

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

// Copies of one template are migrated and reached through roles of their own, as a migrated database would be.
func TestCopiesAreMigratedAndIndependent(t *testing.T) {
	t.Parallel()
	Each(t, func(t *testing.T, e Engine) {
		t.Parallel()
		ctx := context.Background()
		a, b := Open(t, e, "identity"), Open(t, dup(t, e), "identity")
		for _, d := range []*db.DB{a, b} {
			if ok, err := d.SchemaCurrent(ctx); err != nil || !ok {
				t.Fatalf("schema current: %v %v", ok, err)
			}
		}
		if e.Name != db.Postgres {
			return
		}
		var user string
		if err := a.QueryRowContext(ctx, `SELECT current_user`).Scan(&user); err != nil {
			t.Fatal(err)
		}
		want, _ := db.RoleName(e.Config.URL, "identity")
		if user != want {
			t.Fatalf("connected as %s, want %s", user, want)
		}
		// No right is left to the template's roles in the copy.
		admin, err := sql.Open("postgres", e.AdminURL)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		prefix := strings.TrimSuffix(want, "identity")
		var strangers int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a, pg_roles r
			WHERE a.grantee = r.oid AND c.relnamespace = 'identity'::regnamespace AND r.rolname NOT LIKE $1`,
			prefix+"%").Scan(&strangers); err != nil {
			t.Fatal(err)
		}
		var owner string
		if err := admin.QueryRowContext(ctx, `SELECT tableowner FROM pg_tables WHERE schemaname = 'identity' LIMIT 1`).Scan(&owner); err != nil {
			t.Fatal(err)
		}
		if strangers != 0 || owner != prefix+"owner" {
			t.Fatalf("%d grants to other roles, tables owned by %s", strangers, owner)
		}
	})
}

// dup returns a second fresh database on e's engine.
func dup(t *testing.T, e Engine) Engine {
	if e.Name == db.Postgres {
		return Postgres(t)
	}
	return SQLite(t)
}

// A database the test has migrated itself is left as it is.
func TestOpenKeepsADatabaseTheTestMigrated(t *testing.T) {
	t.Parallel()
	e := Postgres(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, e.Config, "audit"); err != nil {
		t.Fatal(err)
	}
	Open(t, e, "identity")
	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname IN ('audit', 'identity')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d of the two schemas", n)
	}
}

// Dropping the templates leaves no database of theirs, and a later test
// gets new ones.
func TestTemplatesDropAndComeBack(t *testing.T) {
	Open(t, Postgres(t), "stats")
	pool.mu.Lock()
	name := pool.pg["stats"].name
	pool.mu.Unlock()
	if err := dropTemplates(); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", baseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil || n != 0 {
		t.Fatalf("template %s still there: %d %v", name, n, err)
	}
	Open(t, Postgres(t), "stats")
}

// Several services come from one template, each reached by its own role.
func TestMigrateSeveralServices(t *testing.T) {
	t.Parallel()
	Each(t, func(t *testing.T, e Engine) {
		Migrate(t, e, "identity", "audit")
		for _, s := range []string{"identity", "audit"} {
			d, err := db.Open(context.Background(), e.Config, s)
			if err != nil {
				t.Fatal(err)
			}
			ok, err := d.SchemaCurrent(context.Background())
			d.Close()
			if err != nil || !ok {
				t.Fatalf("%s: schema current %v %v", s, ok, err)
			}
		}
	})
}
