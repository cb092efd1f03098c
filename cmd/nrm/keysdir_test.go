package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nrm serve refuses key directories that a link carries into the data
// directory, and loose modes anywhere under --keys, before it reads a key.
func TestServeRefusesUnsafeKeyDirectories(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, root string) (keys, data string)
		want  string
	}{
		{"key directory linked into the data directory", func(t *testing.T, root string) (string, string) {
			data := filepath.Join(root, "data")
			if err := os.MkdirAll(data, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(data, "keys"), filepath.Join(root, "keys")); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(root, "keys"), data
		}, "inside the data directory"},
		{"case key file readable by the group", func(t *testing.T, root string) (string, string) {
			keys := filepath.Join(root, "keys")
			if err := os.MkdirAll(filepath.Join(keys, "cases", "ab"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(keys, "cases", "ab", "abcdef01"), []byte("x"), 0o640); err != nil {
				t.Fatal(err)
			}
			return keys, filepath.Join(root, "data")
		}, "abcdef01 is readable by group or others"},
		{"key directory writable by others", func(t *testing.T, root string) (string, string) {
			keys := filepath.Join(root, "keys")
			if err := os.Mkdir(keys, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(keys, 0o777); err != nil {
				t.Fatal(err)
			}
			return keys, filepath.Join(root, "data")
		}, "writable by group or others"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keys, data := tc.setup(t, t.TempDir())
			var out, errb syncBuffer
			// A server that starts anyway is stopped, and fails the test.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			code := run(ctx, []string{"serve", "--keys", keys, "--data", data, "--addr", "127.0.0.1:0", "--metrics-addr", ""}, nil, &out, &errb)
			if code == 0 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, stderr %s; want a refusal naming %q", code, errb.String(), tc.want)
			}
			if _, err := os.Stat(filepath.Join(data, "audit.db")); err == nil {
				t.Fatal("the server went on to open the databases")
			}
		})
	}
}
