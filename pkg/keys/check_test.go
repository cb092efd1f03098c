//go:build unix

package keys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Symbolic links cannot carry the keys into the data directory: not the key
// directory itself (even before its target exists), not one of its
// parents, not an entry under it. Nothing is created inside the data
// directory on the way.
func TestOpenRefusesKeysReachingIntoDataThroughLinks(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, root, data string) (keys string)
	}{
		{"link to a directory not yet made", func(t *testing.T, root, data string) string {
			mustSymlink(t, filepath.Join(data, "keys"), filepath.Join(root, "keys"))
			return filepath.Join(root, "keys")
		}},
		{"link to the data directory before it exists", func(t *testing.T, root, data string) string {
			if err := os.Remove(data); err != nil {
				t.Fatal(err)
			}
			mustSymlink(t, data, filepath.Join(root, "keys"))
			return filepath.Join(root, "keys")
		}},
		{"parent is a link into data", func(t *testing.T, root, data string) string {
			mustSymlink(t, data, filepath.Join(root, "parent"))
			return filepath.Join(root, "parent", "nrm-keys")
		}},
		{"relative link into data", func(t *testing.T, root, data string) string {
			mustSymlink(t, "data/k", filepath.Join(root, "keys"))
			return filepath.Join(root, "keys")
		}},
		{"case keys linked into data", func(t *testing.T, root, data string) string {
			keys := newKeyDir(t, root)
			if err := os.Mkdir(filepath.Join(data, "cases"), 0o700); err != nil {
				t.Fatal(err)
			}
			mustSymlink(t, filepath.Join(data, "cases"), filepath.Join(keys, "cases"))
			return keys
		}},
		{"a key file linked into data", func(t *testing.T, root, data string) string {
			keys := newKeyDir(t, root)
			moveAndLink(t, filepath.Join(keys, masterFile), filepath.Join(data, "m"))
			return keys
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			data := filepath.Join(root, "data")
			if err := os.Mkdir(data, 0o700); err != nil {
				t.Fatal(err)
			}
			keys := tc.setup(t, root, data)
			before := listTree(t, data)
			if _, err := Open(keys, data); !errors.Is(err, ErrInsideData) {
				t.Fatalf("Open: err = %v, want ErrInsideData", err)
			}
			if after := listTree(t, data); after != before {
				t.Fatalf("the data directory changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// Every file and folder under the key directory is checked at start,
// through symbolic links: no group or world write anywhere, no group or
// world read of a secret. The public verifier key and checkpoints may be
// world-readable.
func TestOpenChecksEveryModeUnderTheKeys(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(t *testing.T, keys string)
		refuse string // part of the error naming the path; "" when accepted
	}{
		{"as created", func(*testing.T, string) {}, ""},
		{"public verifier key and checkpoints world-readable", func(t *testing.T, keys string) {
			writeFile(t, filepath.Join(keys, "audit-checkpoint.pub"), 0o644)
			mkdir(t, filepath.Join(keys, "checkpoints"), 0o755)
			writeFile(t, filepath.Join(keys, "checkpoints", "latest"), 0o644)
		}, ""},
		{"key directory readable but not writable by others", func(t *testing.T, keys string) {
			chmod(t, keys, 0o755)
		}, ""},
		{"key directory group-writable", func(t *testing.T, keys string) { chmod(t, keys, 0o770) }, "keys"},
		{"key directory world-writable", func(t *testing.T, keys string) { chmod(t, keys, 0o777) }, "keys"},
		{"signing key group-readable", func(t *testing.T, keys string) {
			writeFile(t, filepath.Join(keys, "token-signing.key"), 0o640)
		}, "token-signing.key"},
		{"demo credentials world-readable", func(t *testing.T, keys string) {
			writeFile(t, filepath.Join(keys, "demo-credentials.txt"), 0o604)
		}, "demo-credentials.txt"},
		{"case key file group-readable", func(t *testing.T, keys string) {
			mkdir(t, filepath.Join(keys, "cases"), 0o700)
			mkdir(t, filepath.Join(keys, "cases", "ab"), 0o700)
			writeFile(t, filepath.Join(keys, "cases", "ab", "abcdef01"), 0o640)
		}, "abcdef01"},
		{"case key shard group-writable", func(t *testing.T, keys string) {
			mkdir(t, filepath.Join(keys, "cases"), 0o700)
			mkdir(t, filepath.Join(keys, "cases", "ab"), 0o770)
		}, filepath.Join("cases", "ab")},
		{"verifier key world-writable", func(t *testing.T, keys string) {
			writeFile(t, filepath.Join(keys, "audit-checkpoint.pub"), 0o666)
		}, "audit-checkpoint.pub"},
		{"checkpoint world-writable", func(t *testing.T, keys string) {
			mkdir(t, filepath.Join(keys, "checkpoints"), 0o755)
			writeFile(t, filepath.Join(keys, "checkpoints", "7"), 0o646)
		}, "7"},
		{"master key linked to a loose file elsewhere", func(t *testing.T, keys string) {
			other := filepath.Join(t.TempDir(), "master")
			moveAndLink(t, filepath.Join(keys, masterFile), other)
			chmod(t, other, 0o644)
		}, masterFile},
		{"linked directory writable by others", func(t *testing.T, keys string) {
			other := t.TempDir()
			chmod(t, other, 0o777)
			mustSymlink(t, other, filepath.Join(keys, "cases"))
		}, "cases"},
		{"symbolic link loop", func(t *testing.T, keys string) {
			mustSymlink(t, "b", filepath.Join(keys, "a"))
			mustSymlink(t, "a", filepath.Join(keys, "b"))
		}, "a"},
		{"link back to the key directory", func(t *testing.T, keys string) {
			mustSymlink(t, ".", filepath.Join(keys, "self"))
		}, ""},
		{"Kubernetes secret volume, defaultMode 0400", func(t *testing.T, keys string) {
			kubernetesSecret(t, keys, 0o400)
		}, ""},
		{"Kubernetes secret volume, defaultMode 0440", func(t *testing.T, keys string) {
			kubernetesSecret(t, keys, 0o440)
		}, "is readable by group or others"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys := newKeyDir(t, t.TempDir())
			tc.setup(t, keys)
			_, err := Open(keys, filepath.Join(t.TempDir(), "data"))
			switch {
			case tc.refuse == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.refuse != "" && err == nil:
				t.Fatal("accepted")
			case tc.refuse != "" && !strings.Contains(err.Error(), tc.refuse):
				t.Fatalf("error %q does not name %q", err, tc.refuse)
			}
		})
	}
}

// kubernetesSecret lays out keys as the kubelet mounts a secret volume: a
// world-writable, sticky tmpfs root holding a timestamped directory (0755)
// with the files, a ..data link to it, and one link per key.
func kubernetesSecret(t *testing.T, keys string, mode os.FileMode) {
	t.Helper()
	for _, name := range []string{masterFile, "token-signing.key", "audit-checkpoint.key", "audit-checkpoint.pub"} {
		b, err := os.ReadFile(filepath.Join(keys, name))
		if os.IsNotExist(err) {
			b = []byte("AAAA\n")
		} else if err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(filepath.Join(keys, name))
		stamp := filepath.Join(keys, "..2026_12_06_17_00_00.123456789")
		if _, err := os.Stat(stamp); os.IsNotExist(err) {
			mkdir(t, stamp, 0o755)
			mustSymlink(t, filepath.Base(stamp), filepath.Join(keys, "..data"))
		}
		if err := os.WriteFile(filepath.Join(stamp, name), b, mode); err != nil {
			t.Fatal(err)
		}
		chmod(t, filepath.Join(stamp, name), mode)
		mustSymlink(t, filepath.Join("..data", name), filepath.Join(keys, name))
	}
	chmod(t, keys, 0o777|os.ModeSticky)
}

func newKeyDir(t *testing.T, root string) string {
	t.Helper()
	keys := filepath.Join(root, "keys")
	if _, err := Open(keys, ""); err != nil {
		t.Fatal(err)
	}
	return keys
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func moveAndLink(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, to, from)
}

func writeFile(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	chmod(t, p, mode)
}

func mkdir(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	chmod(t, p, mode)
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func listTree(t *testing.T, root string) string {
	t.Helper()
	var names []string
	_ = filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		names = append(names, p)
		return nil
	})
	return strings.Join(names, " ")
}
