package chaos

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The disk fill is a real full disk: a write into the data directory
// fails with ENOSPC until the ballast is removed.
func TestFillDiskFillsTheTmpfsUntilReleased(t *testing.T) {
	dir := t.TempDir()
	if !mountTmpfs(dir, 64<<20) {
		t.Skip("not root, or mount refused: the suite uses the disk-full fault hook instead")
	}
	t.Cleanup(func() { unmount(dir) })
	start := time.Now()
	release, err := fillDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("filled in %s", time.Since(start))
	err = os.WriteFile(filepath.Join(dir, "x"), make([]byte, 64<<10), 0o600)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write on a full disk: %v, want ENOSPC", err)
	}
	release()
	if err := os.WriteFile(filepath.Join(dir, "x"), make([]byte, 64<<10), 0o600); err != nil {
		t.Fatalf("write after release: %v", err)
	}
}
