//go:build chaos

// These tests start and crash a PostgreSQL cluster of their own: they run
// with the fault suite (go test -tags chaos, .ci/run's fault step).

package pgcluster

import (
	"context"
	"errors"
	"os"
	"testing"
)

// A private cluster starts, survives an immediate restart with its data,
// and leaves nothing behind when stopped.
func TestClusterRestartKeepsDataAndStopRemovesIt(t *testing.T) {
	if _, err := Find(); errors.Is(err, ErrNoPostgres) {
		if os.Getenv("NRM_REQUIRE_POSTGRES") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx := context.Background()
	c, err := Start(ctx, Options{Settings: map[string]string{"max_connections": "20"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	if c.Port == 5432 {
		t.Fatal("a private cluster took the shared server's port")
	}
	if _, err := c.Psql(ctx, "postgres", "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx, "immediate"); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Psql(ctx, "postgres", "SELECT n FROM kept"); err != nil || got != "42" {
		t.Fatalf("after an immediate restart: %q, %v", got, err)
	}
	if got, _ := c.Psql(ctx, "postgres", "SHOW max_connections"); got != "20" {
		t.Fatalf("max_connections = %q, want the setting given", got)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if c.Running(ctx) {
		t.Fatal("server still running after Stop")
	}
	if _, err := os.Stat(c.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cluster directory left behind: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}
