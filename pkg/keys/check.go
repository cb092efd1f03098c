package keys

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Public entries of the key directory: the checkpoint verifier key and the
// checkpoint copies may be read by anyone; every other file is a secret.
const (
	publicKeyFile  = "audit-checkpoint.pub"
	checkpointsDir = "checkpoints"
)

// maxLinkDepth bounds the directory depth a walk through links may reach.
const maxLinkDepth = 32

// resolve returns path with every symbolic link resolved, also when the
// path, or the target of a link on it, does not exist yet: the existing
// part is resolved and the rest appended, so a link cannot hide where a
// directory about to be created would land.
func resolve(path string) (string, error) {
	return resolveDepth(filepath.Clean(path), 0)
}

func resolveDepth(path string, depth int) (string, error) {
	if depth > 255 {
		return "", fmt.Errorf("keys: %s: too many levels of symbolic links", path)
	}
	r, err := filepath.EvalSymlinks(path)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("keys: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(path) // a link whose target is missing
		if err != nil {
			return "", fmt.Errorf("keys: %w", err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		return resolveDepth(target, depth+1)
	}
	parent := filepath.Dir(path)
	if parent == path {
		return path, nil
	}
	rp, err := resolveDepth(parent, depth+1)
	if err != nil {
		return "", err
	}
	return filepath.Join(rp, filepath.Base(path)), nil
}

// within reports whether path is dir or lies under it; both resolved.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return false
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))
}

// checkTree checks every file and folder under the key directory root,
// following symbolic links: none may lead into the data directory (dataDir,
// resolved; "" for none), none may be writable by group or others, no
// secret may be readable by group or others, and all must belong to this
// process's user or to root. A directory writable by others passes only
// with the sticky bit (others can then add entries but not replace ours,
// and an entry they add is refused as not ours): the root of a Kubernetes
// secret volume looks so.
func checkTree(root, dataDir string) error {
	w := treeWalk{data: dataDir, onPath: map[string]bool{}}
	return w.visit(root, filepath.Base(root), false, 0)
}

type treeWalk struct {
	data   string
	onPath map[string]bool // resolved directories being walked (link loops)
}

func (w *treeWalk) visit(path, name string, public bool, depth int) error {
	if depth > maxLinkDepth {
		return fmt.Errorf("keys: %s: nested too deep (a loop of links?)", name)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		if _, lerr := os.Lstat(path); depth > 0 && errors.Is(lerr, fs.ErrNotExist) {
			return nil // another process's temporary file, renamed since the listing
		}
		return fmt.Errorf("keys: %s: %w", name, err)
	}
	if w.data != "" && within(w.data, real) {
		return fmt.Errorf("%w: %s leads to %s", ErrInsideData, name, real)
	}
	fi, err := os.Stat(real)
	if err != nil {
		if depth > 0 && errors.Is(err, fs.ErrNotExist) {
			return nil // as above
		}
		return fmt.Errorf("keys: %s: %w", name, err)
	}
	if err := checkOwner(fi); err != nil {
		return fmt.Errorf("keys: %s: %w", name, err)
	}
	perm := fi.Mode().Perm()
	switch {
	case fi.IsDir():
		if perm&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
			return fmt.Errorf("keys: %s is writable by group or others (mode %v); chmod go-w it", name, perm)
		}
		if w.onPath[real] {
			return nil // a link back to a directory being walked
		}
		w.onPath[real] = true
		defer delete(w.onPath, real)
		entries, err := os.ReadDir(path)
		if err != nil {
			return fmt.Errorf("keys: %s: %w", name, err)
		}
		for _, e := range entries {
			pub := public || (depth == 0 && e.Name() == checkpointsDir)
			if err := w.visit(filepath.Join(path, e.Name()), filepath.Join(name, e.Name()), pub, depth+1); err != nil {
				return err
			}
		}
		return nil
	case !fi.Mode().IsRegular():
		return fmt.Errorf("keys: %s is neither a file nor a directory", name)
	case perm&0o022 != 0:
		return fmt.Errorf("keys: %s is writable by group or others (mode %v); chmod go-w it", name, perm)
	case perm&0o044 != 0 && !public && filepath.Base(name) != publicKeyFile:
		return fmt.Errorf("keys: %s is readable by group or others (mode %v); chmod 600 (or 400) it", name, perm)
	}
	return nil
}
