package rules

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runsStatement names the database/sql methods that run a statement.
var runsStatement = map[string]bool{"ExecContext": true, "QueryContext": true, "QueryRowContext": true}

// isStoreFile reports whether path is one whose job is SQL: a file named
// store*.go (store.go, store_release.go) or any file of a package
// directory named store. Test files are never store files: they are not
// checked at all.
func isStoreFile(path string) bool {
	return strings.HasPrefix(filepath.Base(path), "store") || filepath.Base(filepath.Dir(path)) == "store"
}

// statementCalls returns, as "file:line: Method", every call in src (the
// Go source of the file at path; read from path when nil) to a method
// that runs a statement. A method declared in an interface is not a call.
func statementCalls(fset *token.FileSet, path string, src any) ([]string, error) {
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && runsStatement[sel.Sel.Name] {
				out = append(out, fmt.Sprintf("%s: %s", fset.Position(sel.Sel.Pos()), sel.Sel.Name))
			}
		}
		return true
	})
	return out, nil
}

// statementsOutsideStores walks each directory (relative to root) and
// returns, as "file:line: Method", every statement run by production code
// in a file that is not a store file.
func statementsOutsideStores(t *testing.T, root string, dirs ...string) []string {
	t.Helper()
	fset := token.NewFileSet()
	var out []string
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || isStoreFile(path) {
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			calls, err := statementCalls(fset, rel, src)
			if err != nil {
				return err
			}
			out = append(out, calls...)
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", dir, err)
		}
	}
	return out
}

// TestSQLInStores: no service method of referral, identity, stats or
// audit (sub-packages included) runs a statement itself; the store
// files do.
func TestSQLInStores(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range statementsOutsideStores(t, root,
		"services/referral", "services/identity", "services/stats", "services/audit") {
		t.Error(v)
	}
}

// TestSQLRuleFires: the rule catches a statement run outside a store file
// and lets the store files, and interfaces that merely declare the
// methods, through.
func TestSQLRuleFires(t *testing.T) {
	tests := []struct {
		name, path, src string
		broken          bool
	}{
		{"a service method runs a statement", "services/referral/views.go",
			`package referral
func (s *service) Board() { s.db.QueryContext(ctx, "SELECT 1") }`, true},
		{"a row read in a transaction", "services/referral/grants/grants.go",
			`package grants
func f() { tx.QueryRowContext(ctx, "SELECT 1").Scan(&n) }`, true},
		{"the store runs it", "services/referral/store.go",
			`package referral
func (st *store) board() { st.db.QueryContext(ctx, "SELECT 1") }`, false},
		{"a store_ file runs it", "services/stats/store_release.go",
			`package stats
func f() { tx.ExecContext(ctx, "UPDATE x SET y = 1") }`, false},
		{"a file of a store package runs it", "services/intake/store/cases.go",
			`package store
func f() { tx.ExecContext(ctx, "UPDATE x SET y = 1") }`, false},
		{"an interface declares the methods", "services/referral/webhooks/queue.go",
			`package webhooks
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}`, false},
		{"a name that only contains store", "services/referral/restore.go",
			`package referral
func f() { tx.ExecContext(ctx, "DELETE FROM x") }`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if isStoreFile(tc.path) {
				if tc.broken {
					t.Fatalf("%s counted as a store file", tc.path)
				}
				return
			}
			calls, err := statementCalls(token.NewFileSet(), tc.path, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if (len(calls) > 0) != tc.broken {
				t.Fatalf("calls %v, want broken=%v", calls, tc.broken)
			}
		})
	}
}
