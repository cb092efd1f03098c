package keys

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// An exported directory gives its service's subkeys, equal to the full
// directory's, and its secrets; it never holds or creates a master key,
// and has no key for another purpose.
func TestExportHoldsOnlyTheNamedKeys(t *testing.T) {
	root := t.TempDir()
	full, err := Open(filepath.Join(root, "full"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full.Path(), "sign.key"), []byte("c2lnbg==\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "stats")
	if err := Export(full, out, []Purpose{PurposeClientAddress}, map[string]string{"db-password:x_stats": "pw"}, []string{"sign.key", "absent.key"}); err != nil {
		t.Fatal(err)
	}
	d, err := Open(out, "")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Exported() || d.Created {
		t.Fatal("an exported directory opened as a full one")
	}
	if _, err := os.Stat(filepath.Join(out, masterFile)); !os.IsNotExist(err) {
		t.Fatalf("master key in the exported directory: %v", err)
	}
	if !bytes.Equal(d.Subkey(PurposeClientAddress), full.Subkey(PurposeClientAddress)) {
		t.Fatal("exported subkey differs from the full directory's")
	}
	if m := d.Missing(PurposeClientAddress, PurposeWrap, PurposeDBRoles); len(m) != 2 {
		t.Fatalf("missing %v, want the wrap and database-role keys", m)
	}
	if pw, ok := d.Secret("db-password:x_stats"); !ok || string(pw) != "pw" {
		t.Fatal("database password not exported")
	}
	if _, err := os.Stat(filepath.Join(out, "sign.key")); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("an exported directory derived a key it was not given")
		}
	}()
	d.Subkey(PurposeWrap)
}
