package main

import (
	"flag"
	"os"
	"testing"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// shippedHashing is passwordHashing as the binary ships it.
var shippedHashing = passwordHashing

func TestMain(m *testing.M) {
	passwordHashing = identitytest.CheapArgon2
	// Three tests at once, not dbtest's four: each starts whole servers,
	// whose pools (16 connections a service) held past the shared
	// PostgreSQL server's 100 with four, and a login got 503.
	if f := flag.Lookup("test.parallel"); f != nil && f.Value.String() == f.DefValue {
		_ = f.Value.Set("3")
	}
	os.Exit(dbtest.Run(m))
}

// The binary hashes passwords at identity's default cost; only the tests
// lower it.
func TestShippedPasswordHashingIsTheDefault(t *testing.T) {
	t.Parallel()
	if shippedHashing != (identity.Argon2Params{}) {
		t.Fatalf("nrm hashes passwords with %+v, want identity's default", shippedHashing)
	}
}

// migrated gives the test's storage every service's schema, copied from
// databases migrated once for the package; `nrm migrate` and `nrm serve`
// then find nothing left to apply.
func migrated(t *testing.T, e dbtest.Engine, dataDir string) {
	t.Helper()
	if e.Name == db.Postgres {
		dbtest.Migrate(t, e, allServices...)
		return
	}
	dbtest.Migrate(t, dbtest.Engine{Name: db.SQLite, Config: db.Config{DataDir: dataDir}}, allServices...)
}

// migratedStore gives the embedded store in dataDir every service's
// schema, copied from databases migrated once for the package.
func migratedStore(t *testing.T, dataDir string) {
	t.Helper()
	migrated(t, dbtest.Engine{Name: db.SQLite}, dataDir)
}
