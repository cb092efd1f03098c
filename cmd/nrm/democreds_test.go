package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The demo's credentials are kept beside the keys: a copy of the data
// directory (a backup) holds no working password, and a restart prints the
// same credentials again.
func TestDemoCredentialsLiveBesideTheKeys(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
	s := startServer(t, "--keys", keysDir, "--data", dataDir, "--demo")
	printed := s.stdout.String()
	creds := demoCredentials(t, printed)
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.stderr.String())
	}

	kept, err := os.ReadFile(filepath.Join(keysDir, demoCredentialsFile))
	if err != nil {
		t.Fatalf("no credentials file beside the keys: %v", err)
	}
	if !bytes.Contains([]byte(printed), kept) {
		t.Fatalf("file differs from what was printed:\n%s", kept)
	}
	if fi, err := os.Stat(filepath.Join(keysDir, demoCredentialsFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode %v, want 0600", fi.Mode().Perm())
	}
	// The attack: read every file of a data backup for a password.
	err = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for email, c := range creds {
			if bytes.Contains(b, []byte(c.password)) {
				t.Errorf("%s holds the password of %s", p, email)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	again := startServer(t, "--keys", keysDir, "--data", dataDir, "--demo")
	if got := demoCredentials(t, again.stdout.String()); len(got) != len(creds) {
		t.Fatalf("restart printed %d users, first start %d", len(got), len(creds))
	}
}

// A credentials file an earlier version left in the data directory is
// moved beside the keys on the next start.
func TestDemoCredentialsLeftInDataAreMoved(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
	s := startServer(t, "--keys", keysDir, "--data", dataDir, "--demo")
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(keysDir, demoCredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	// As an earlier version left it.
	if err := os.WriteFile(filepath.Join(dataDir, demoCredentialsFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(keysDir, demoCredentialsFile)); err != nil {
		t.Fatal(err)
	}
	again := startServer(t, "--keys", keysDir, "--data", dataDir, "--demo")
	demoCredentials(t, again.stdout.String())
	if _, err := os.Stat(filepath.Join(dataDir, demoCredentialsFile)); !os.IsNotExist(err) {
		t.Fatalf("credentials still in the data directory: %v", err)
	}
	if moved, err := os.ReadFile(filepath.Join(keysDir, demoCredentialsFile)); err != nil || !bytes.Equal(moved, b) {
		t.Fatalf("credentials not moved beside the keys: %v", err)
	}
}
