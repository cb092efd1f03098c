//go:build chaos

package db_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/fault"
)

// In a fault-suite build the disk-full hook fails writing transactions
// with ENOSPC and lets read-only ones through, until it is turned off.
func TestDiskFullHookFailsWritesOnly(t *testing.T) {
	ctx := context.Background()
	faults := t.TempDir()
	t.Setenv(fault.DirEnv, faults)
	d, err := db.Open(ctx, db.Config{DataDir: t.TempDir()}, "identity")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	write := func() error {
		return d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS t (n INTEGER)`)
			return err
		})
	}
	if err := write(); err != nil {
		t.Fatal(err)
	}
	on := filepath.Join(faults, string(fault.DiskFull))
	if err := os.WriteFile(on, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := write(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write with the disk full: %v, want ENOSPC", err)
	}
	tx, err := d.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only transaction with the disk full: %v", err)
	}
	_ = tx.Rollback()
	if err := os.Remove(on); err != nil {
		t.Fatal(err)
	}
	if err := write(); err != nil {
		t.Fatalf("write after the disk is freed: %v", err)
	}
}
