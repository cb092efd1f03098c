package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsersCheck: after an upgrade that binds roles to organisation kinds,
// `nrm users check` lists the users whose roles no longer fit (exit 1),
// and they cannot sign in.
func TestUsersCheck(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	common := []string{"--data", filepath.Join(root, "data"), "--keys", filepath.Join(root, "keys")}
	migratedStore(t, filepath.Join(root, "data"))
	// The deployment's policy before the upgrade let a police unit hold
	// decision makers.
	lenient := filepath.Join(root, "old-policies")
	if err := os.MkdirAll(lenient, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../policies/roles.json")
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(b), `"kinds": ["competent_authority"],`, `"kinds": ["competent_authority", "police"],`, 1)
	if err := os.WriteFile(filepath.Join(lenient, "roles.json"), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	if code := run(context.Background(), append([]string{"orgs", "add", "--name", "Police", "--kind", "police"}, common...), nil, &out, &errb); code != 0 {
		t.Fatalf("orgs add: %d %s", code, errb.String())
	}
	orgID := strings.TrimSpace(out.String())
	check := func() (int, string) {
		var out, errb syncBuffer
		code := run(context.Background(), append([]string{"users", "check"}, common...), nil, &out, &errb)
		return code, out.String() + errb.String()
	}
	add := func(email, role string, extra ...string) int {
		var out, errb syncBuffer
		return run(context.Background(), append(append([]string{"users", "add", "--org", orgID, "--email", email, "--role", role}, extra...), common...),
			strings.NewReader("a long enough password\n"), &out, &errb)
	}
	if code := add("officer@police.example", "frontline_officer"); code != 0 {
		t.Fatal("frontline officer refused")
	}
	if code, text := check(); code != 0 || !strings.Contains(text, "all 1 users can sign in") {
		t.Fatalf("check with fitting users: %d %s", code, text)
	}
	if code := add("dm@police.example", "decision_maker"); code == 0 {
		t.Fatal("a decision maker in a police unit was created under the shipped policy")
	}
	if code := add("dm@police.example", "decision_maker", "--policies", lenient); code != 0 {
		t.Fatal("the old policy refused the decision maker")
	}
	code, text := check()
	if code != 1 || !strings.Contains(text, "dm@police.example") || !strings.Contains(text, "roles_do_not_fit_org_kind") ||
		strings.Contains(text, "officer@police.example") {
		t.Fatalf("check after the upgrade: %d %s", code, text)
	}
}
