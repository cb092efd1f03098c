package dbtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

var runsStatement = map[string]bool{"ExecContext": true, "QueryContext": true, "QueryRowContext": true}

// StatementsInStore fails t for every SQL statement run outside the store
// in the package in dir: only files named store*.go may call ExecContext,
// QueryContext or QueryRowContext (tests aside), so that no service
// method runs a statement itself.
func StatementsInStore(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "store") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && runsStatement[sel.Sel.Name] {
				t.Errorf("%s: %s outside the store", fset.Position(call.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
