//go:build unix

package keys

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a file or folder that belongs neither to this
// process's user nor to root: another user could have planted or could
// change it.
func checkOwner(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := int(st.Uid); uid != 0 && uid != os.Geteuid() {
		return fmt.Errorf("belongs to user %d, not to this process's user (%d) or root", uid, os.Geteuid())
	}
	return nil
}
