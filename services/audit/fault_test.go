//go:build chaos

package audit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/fault"
)

// In a fault-suite build the audit-stall hook refuses deliveries (the
// relay keeps them and retries); once it is off the same messages are
// stored, none lost.
func TestAuditStallRefusesThenStores(t *testing.T) {
	faults := t.TempDir()
	t.Setenv(fault.DirEnv, faults)
	f := newFixture(t, dbtest.SQLite(t), nil)
	on := filepath.Join(faults, string(fault.AuditStall))
	if err := os.WriteFile(on, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	msgs := f.next(t, "intake", 3)
	if err := f.log.Append(f.ctx, msgs); err == nil {
		t.Fatal("append accepted during an audit stall")
	}
	if n := f.size(t); n != 0 {
		t.Fatalf("log size %d during the stall, want 0", n)
	}
	if err := os.Remove(on); err != nil {
		t.Fatal(err)
	}
	if err := f.log.Append(f.ctx, msgs); err != nil {
		t.Fatal(err)
	}
	if n := f.size(t); n != 3 {
		t.Fatalf("log size %d after the stall, want 3", n)
	}
}
