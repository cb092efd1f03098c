//go:build chaos

package fault

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Enabled reports whether this binary carries the fault hooks.
const Enabled = true

// Check returns the error of fault p while it is turned on.
func Check(p Point) error {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, string(p))); err != nil {
		return nil
	}
	if p == DiskFull {
		return fmt.Errorf("fault %s: %w", p, syscall.ENOSPC)
	}
	return fmt.Errorf("fault %s: injected", p)
}
