package democreds

import (
	"os"
	"path/filepath"
	"testing"
)

// The file's format is a stable interface (DESIGN.md): an organisation's
// line, then per user a line with the password and one with the TOTP URI.
func TestReadsTheDemoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo-credentials.txt")
	body := "Police (police, MA-06) id 5f0c6f1e-0000-4000-8000-000000000001\n" +
		"  officer@police.demo frontline_officer password pw-1 id 5f0c6f1e-0000-4000-8000-000000000002\n" +
		"    totp otpauth://totp/NRM:officer@police.demo?secret=JBSWY3DPEHPK3PXP&issuer=NRM\n" +
		"    ticket t-1\n" +
		"  admin@police.demo org_admin password pw-2 id 5f0c6f1e-0000-4000-8000-000000000003\n" +
		"    totp otpauth://totp/NRM:admin@police.demo?secret=KRSXG5CTMVRXEZLU&issuer=NRM\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	all, err := ReadAll(path)
	if err != nil || len(all) != 2 {
		t.Fatalf("ReadAll = %v, %v; want 2 users", all, err)
	}
	c, err := Find(path, "admin@police.demo")
	if err != nil || c != (Credential{Email: "admin@police.demo", Password: "pw-2", Secret: "KRSXG5CTMVRXEZLU"}) {
		t.Fatalf("Find = %+v, %v", c, err)
	}
	if _, err := Find(path, "nobody@police.demo"); err == nil {
		t.Fatal("Find of an unknown user succeeded")
	}
}
