package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// load reads the module's import graph from the Go tool (production code
// only: Deps leaves test files out).
func load(t *testing.T) []Package {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	return pkgs
}

// TestImportRules fails on any dependency the rules forbid.
func TestImportRules(t *testing.T) {
	for _, v := range Violations(load(t)) {
		t.Error(v)
	}
}

// TestEachRuleFires: every rule catches the dependency it is written for,
// and lets the allowed ones through.
func TestEachRuleFires(t *testing.T) {
	m := Module + "/"
	tests := []struct {
		name      string
		from, dep string
		broken    bool
	}{
		{"pkg imports a service", m + "pkg/kit", m + "services/intake", true},
		{"pkg imports pkg", m + "pkg/kit", m + "pkg/event", false},
		{"referral imports seal", m + "services/referral", m + "pkg/seal", true},
		{"referral sub-package imports age", m + "services/referral/directory", "filippo.io/age/armor", true},
		{"audit imports seal", m + "services/audit", m + "pkg/seal", true},
		{"stats imports age", m + "services/stats", "filippo.io/age", true},
		{"intake imports seal", m + "services/intake", m + "pkg/seal", false},
		{"referral imports intake", m + "services/referral", m + "services/intake", true},
		{"stats imports an intake sub-package", m + "services/stats", m + "services/intake/casefile", true},
		{"web imports intake", m + "services/web", m + "services/intake", false},
		{"web imports intake's store", m + "services/web", m + "services/intake/store", true},
		{"intake imports its own store", m + "services/intake/cases", m + "services/intake/store", false},
		{"cases uses the key ring and the domain", m + "services/intake/cases", m + "services/intake/keyring", false},
		{"cases reaches up to the service", m + "services/intake/cases", m + "services/intake", true},
		{"cases reaches sideways into workflow", m + "services/intake/cases", m + "services/intake/workflow", true},
		{"cases reaches sideways into oversight", m + "services/intake/cases", m + "services/intake/oversight", true},
		{"the service composes cases", m + "services/intake", m + "services/intake/cases", false},
		{"a seal-like name is not seal", m + "services/referral", m + "pkg/sealed", false},
		{"a sub-package imports its service", m + "services/referral/notices", m + "services/referral", true},
		{"notices uses webhooks below it", m + "services/referral/notices", m + "services/referral/webhooks", false},
		{"webhooks reaches up to notices", m + "services/referral/webhooks", m + "services/referral/notices", true},
		{"routing uses the directory", m + "services/referral/routing", m + "services/referral/directory", false},
		{"the directory reaches up to routing", m + "services/referral/directory", m + "services/referral/routing", true},
		{"an unlisted sub-package uses a sibling", m + "services/referral/newpart", m + "services/referral/routing", true},
		{"the service uses its sub-packages", m + "services/referral", m + "services/referral/notices", false},
		{"the store reads the domain", m + "services/intake/store", m + "services/intake/casefile", false},
		{"the store reaches up to the service", m + "services/intake/store", m + "services/intake", true},
		{"the domain reaches up to the store", m + "services/intake/casefile", m + "services/intake/store", true},
		{"the key ring reaches up to the store", m + "services/intake/keyring", m + "services/intake/store", true},
		{"oversight uses the store", m + "services/intake/oversight", m + "services/intake/store", false},
		{"oversight reaches sideways into cases", m + "services/intake/oversight", m + "services/intake/cases", true},
		{"oversight reaches up to the service", m + "services/intake/oversight", m + "services/intake", true},
		{"the store reaches up to workflow", m + "services/intake/store", m + "services/intake/workflow", true},
		{"workflow uses the store", m + "services/intake/workflow", m + "services/intake/store", false},
		{"workflow uses the key ring", m + "services/intake/workflow", m + "services/intake/keyring", false},
		{"workflow reaches sideways into cases", m + "services/intake/workflow", m + "services/intake/cases", true},
		{"workflow reaches sideways into oversight", m + "services/intake/workflow", m + "services/intake/oversight", true},
		{"workflow reaches up to the service", m + "services/intake/workflow", m + "services/intake", true},
		{"oversight reaches sideways into workflow", m + "services/intake/oversight", m + "services/intake/workflow", true},
		{"the service composes workflow", m + "services/intake", m + "services/intake/workflow", false},
		{"the service composes its sub-packages", m + "services/intake", m + "services/intake/oversight", false},
		{"the test harness uses the service", m + "services/intake/intaketest", m + "services/intake", false},
		{"the entry keys use the store and the key ring", m + "services/intake/entrykeys", m + "services/intake/store", false},
		{"the entry keys reach up to the service", m + "services/intake/entrykeys", m + "services/intake", true},
		{"cases reaches sideways into the entry keys", m + "services/intake/cases", m + "services/intake/entrykeys", true},
		{"an unlisted intake sub-package uses the store", m + "services/intake/newpart", m + "services/intake/store", true},
		{"referralish is not referral", m + "services/referralish/x", m + "services/referral/notices", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Violations([]Package{{ImportPath: tc.from, Imports: []string{tc.dep}, Deps: []string{tc.dep}}})
			if (len(got) > 0) != tc.broken {
				t.Fatalf("violations %v, want broken=%v", got, tc.broken)
			}
			if tc.broken && !strings.Contains(got[0], tc.dep) {
				t.Fatalf("violation %q does not name %s", got[0], tc.dep)
			}
		})
	}
}

// TestStatementsInStore: no file of intake outside its store (and the key
// ring's own org_keys) runs a statement.
func TestStatementsInStore(t *testing.T) {
	intake, err := filepath.Abs(filepath.Join("..", "..", "services", "intake"))
	if err != nil {
		t.Fatal(err)
	}
	calls, err := StatementsOutsideStore(intake)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		t.Errorf("%s runs a statement outside intake's store", c)
	}
}

// TestStatementRuleFires: the check finds a statement wherever it is run
// outside the store, and lets the store, the key ring, tests and calls
// that run no statement through.
func TestStatementRuleFires(t *testing.T) {
	tests := []struct {
		name, path, body string
		found            bool
	}{
		{"the root runs a query", "admin.go", `func f(ctx any, db T) { db.QueryContext(ctx, "SELECT 1") }`, true},
		{"a service executes", "cases/dup.go", `func f(ctx any, tx T) { tx.ExecContext(ctx, "DELETE FROM x") }`, true},
		{"a row read in a closure", "workflow/w.go", `var g = func(db T) { db.QueryRowContext(nil, "SELECT 1").Scan() }`, true},
		{"a query without a context", "oversight/o.go", `func f(db T) { db.Query("SELECT 1") }`, true},
		{"the store runs it", "store/s.go", `func f(ctx any, q T) { q.QueryContext(ctx, "SELECT 1") }`, false},
		{"the key ring runs it", "keyring/r.go", `func f(ctx any, q T) { q.ExecContext(ctx, "UPDATE org_keys") }`, false},
		{"a test runs it", "admin_test.go", `func f(ctx any, q T) { q.ExecContext(ctx, "UPDATE x") }`, false},
		{"a URL's query", "transport.go", `func f(r T) { r.URL.Query() }`, false},
		{"a store method", "entries.go", `func f(ctx any, s T) { s.store.Entries(ctx, nil, "", "") }`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, filepath.FromSlash(tc.path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte("package p\n\n"+tc.body+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := StatementsOutsideStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) > 0) != tc.found {
				t.Fatalf("found %v, want found=%v", got, tc.found)
			}
			if tc.found && !strings.HasPrefix(got[0], tc.path+":") {
				t.Fatalf("found %q, want it in %s", got[0], tc.path)
			}
		})
	}
}
