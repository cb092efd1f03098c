package keys

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenCreatesWithModesAndIsStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	d, err := Open(dir, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Created {
		t.Fatal("first open should report creation")
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("key directory mode %v, want 0700", fi.Mode().Perm())
	}
	fi, err = os.Stat(filepath.Join(dir, masterFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key mode %v, want 0600", fi.Mode().Perm())
	}
	a := d.Subkey(PurposeUserMAC)
	d2, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if d2.Created {
		t.Fatal("second open should not create")
	}
	if !bytes.Equal(a, d2.Subkey(PurposeUserMAC)) {
		t.Fatal("subkey differs between opens")
	}
	if bytes.Equal(a, d2.Subkey(PurposeTOTPSecrets)) {
		t.Fatal("two purposes share a key")
	}
	k1, err := d.Ed25519("token-signing.key")
	if err != nil {
		t.Fatal(err)
	}
	k2, err := d2.Ed25519("token-signing.key")
	if err != nil || !k1.Equal(k2) {
		t.Fatal("signing key not stable across opens")
	}
}

func TestOpenRefusesKeysInsideData(t *testing.T) {
	data := t.TempDir()
	for _, p := range []string{filepath.Join(data, "keys"), data, filepath.Join(data, "a", "b")} {
		if _, err := Open(p, data); !errors.Is(err, ErrInsideData) {
			t.Errorf("Open(%s) inside data: err = %v, want ErrInsideData", p, err)
		}
	}
	// A sibling whose name starts like the data directory is not inside it.
	if _, err := Open(data+"-keys", data); err != nil {
		t.Errorf("sibling directory refused: %v", err)
	}
}

func TestOpenRefusesKeysInsideDataThroughSymlink(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	if err := os.MkdirAll(filepath.Join(data, "k"), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "keys-link")
	if err := os.Symlink(filepath.Join(data, "k"), link); err != nil {
		t.Skip("symlinks unsupported")
	}
	if _, err := Open(link, data); !errors.Is(err, ErrInsideData) {
		t.Fatalf("symlinked key directory inside data: err = %v", err)
	}
}

func TestReadRefusesLooseModes(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, masterFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, ""); err == nil {
		t.Fatal("a world-readable master key was accepted")
	}
	_ = d
}
