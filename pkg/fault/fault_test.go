package fault

import (
	"os"
	"path/filepath"
	"testing"
)

// An ordinary build carries no fault: a stray NRM_FAULT_DIR in a
// production environment turns nothing on.
func TestOrdinaryBuildHasNoFaults(t *testing.T) {
	if Enabled {
		t.Skip("built with -tags chaos")
	}
	dir := t.TempDir()
	t.Setenv(DirEnv, dir)
	for _, p := range []Point{AuditStall, DiskFull} {
		if err := os.WriteFile(filepath.Join(dir, string(p)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Check(p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
}
