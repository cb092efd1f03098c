//go:build chaos

package fault

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// In a chaos build a fault is on exactly while its file exists.
func TestFaultFollowsItsFile(t *testing.T) {
	d := t.TempDir()
	t.Setenv(DirEnv, d)
	if err := Check(DiskFull); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(d, string(DiskFull))
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Check(DiskFull); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("disk-full on: %v", err)
	}
	if err := Check(AuditStall); err != nil {
		t.Fatalf("audit-stall off: %v", err)
	}
	os.Remove(f)
	if err := Check(DiskFull); err != nil {
		t.Fatal(err)
	}
}
