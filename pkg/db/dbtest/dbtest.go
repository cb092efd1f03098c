package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// DefaultURL is the server tests use unless NRM_TEST_DATABASE_URL says otherwise.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Engine is one engine a test runs on.
type Engine struct {
	Name   db.Engine
	Config db.Config
	// AdminURL is the superuser URL of the fresh PostgreSQL database (empty
	// on SQLite), for tests that act as an insider with database access.
	AdminURL string

	// pg is the PostgreSQL database's state (nil on SQLite).
	pg *pgDatabase
}

// Each runs fn as a subtest on SQLite and on PostgreSQL, each with a fresh,
// unmigrated database.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns an engine on a temporary data directory. Its commits are
// not synced to disk (db.Config.NoSync): fsyncs were most of the suite's
// time, and no unit test is about a power cut.
func SQLite(t testing.TB) Engine {
	t.Helper()
	return Engine{Name: db.SQLite, Config: db.Config{DataDir: t.TempDir(), RolePassword: password, NoSync: true}}
}

// asyncCommits lets a test database's commits return before their WAL is
// flushed (synchronous_commit=off): a crash of the server could lose the
// last moments of a test, never make it inconsistent, and the tests never
// crash the shared server. Set per database, never on the server.
func asyncCommits(ctx context.Context, admin *sql.DB, name string) error {
	_, err := admin.ExecContext(ctx, `ALTER DATABASE `+name+` SET synchronous_commit = off`)
	return err
}

func password(role string) string { return "test-" + role }

// Services lists every service whose role a test may have created.
var Services = []string{"identity", "audit", "intake", "referral", "stats"}

func baseURL() string {
	if u := os.Getenv("NRM_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Postgres returns an engine on a database created for this test and
// dropped, with its roles, when the test ends. It skips (or fails under
// NRM_REQUIRE_POSTGRES=1) when no server answers.
func Postgres(t testing.TB) Engine {
	t.Helper()
	base := baseURL()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("postgres", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		if os.Getenv("NRM_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("dbtest: PostgreSQL required but unreachable: %v", err)
		}
		t.Skipf("dbtest: PostgreSQL unreachable, skipping: %v", err)
	}
	defer admin.Close()
	name := newName()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	if err := asyncCommits(ctx, admin, name); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	dbURL := withDatabase(base, name)
	t.Cleanup(func() {
		if err := dropDatabase(name, dbURL, t.Failed()); err != nil {
			t.Errorf("dbtest: %v", err)
		}
	})
	return Engine{Name: db.Postgres, Config: db.Config{URL: dbURL, RolePassword: password}, AdminURL: dbURL,
		pg: &pgDatabase{name: name, fresh: true}}
}

func newName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "nrmt_" + hex.EncodeToString(b[:])
}

func withDatabase(base, name string) string {
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

// Open migrates the service on e (see Migrate) and opens its database,
// closed when the test ends.
func Open(t testing.TB, e Engine, service string) *db.DB {
	t.Helper()
	Migrate(t, e, service)
	d, err := db.Open(context.Background(), e.Config, service)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", service, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Migrate brings the databases of services on e to the latest schema.
// On a database nothing has touched yet, a package that runs its tests
// through Run gets a copy of databases migrated once for the whole
// package instead.
func Migrate(t testing.TB, e Engine, services ...string) {
	t.Helper()
	ctx := context.Background()
	// A failing test may be panicking, which ends the process before Run
	// could drop the templates.
	t.Cleanup(func() {
		if t.Failed() && templatesOn() {
			if err := dropTemplates(); err != nil {
				t.Errorf("dbtest: %v", err)
			}
		}
	})
	cloned, err := fromTemplate(ctx, e, services)
	if err != nil {
		t.Fatalf("dbtest: %v from their template: %v", services, err)
	}
	if !cloned {
		if err := db.Migrate(ctx, e.Config, services...); err != nil {
			t.Fatalf("dbtest: migrate %v: %v", services, err)
		}
	}
}
