// Package dbtest gives tests a fresh database on each engine: a temporary
// SQLite directory always, and a PostgreSQL database created for the test
// and dropped after it when a server is reachable. With
// NRM_REQUIRE_POSTGRES=1 (as in CI) an unreachable server fails the test
// instead of skipping it.
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
}

// Each runs fn as a subtest on SQLite and on PostgreSQL, each with a fresh,
// unmigrated database.
func Each(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns an engine on a temporary data directory.
func SQLite(t testing.TB) Engine {
	t.Helper()
	return Engine{Name: db.SQLite, Config: db.Config{DataDir: t.TempDir(), RolePassword: password}}
}

func password(role string) string { return "test-" + role }

// Postgres returns an engine on a database created for this test and
// dropped, with its roles, when the test ends. It skips (or fails under
// NRM_REQUIRE_POSTGRES=1) when no server answers.
func Postgres(t testing.TB) Engine {
	t.Helper()
	base := os.Getenv("NRM_TEST_DATABASE_URL")
	if base == "" {
		base = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("postgres", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("NRM_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("dbtest: PostgreSQL required but unreachable: %v", err)
		}
		t.Skipf("dbtest: PostgreSQL unreachable, skipping: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "nrmt_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		t.Fatalf("dbtest: create database: %v", err)
	}
	u, _ := url.Parse(base)
	u.Path = "/" + name
	dbURL := u.String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("dbtest: drop database: %v", err)
		}
		if err := db.DropRoles(ctx, base, dbURL, Services...); err != nil {
			t.Errorf("dbtest: drop roles: %v", err)
		}
	})
	return Engine{Name: db.Postgres, Config: db.Config{URL: dbURL, RolePassword: password}, AdminURL: dbURL}
}

// Services lists every service whose role a test may have created.
var Services = []string{"identity", "audit", "intake", "referral", "stats"}

// Open migrates the given services on e and opens the first one's database,
// closed when the test ends.
func Open(t testing.TB, e Engine, service string) *db.DB {
	t.Helper()
	ctx := context.Background()
	if err := db.Migrate(ctx, e.Config, service); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", service, err)
	}
	d, err := db.Open(ctx, e.Config, service)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", service, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
