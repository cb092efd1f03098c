package rules

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// statementOwners are the packages under services/intake allowed to run
// SQL: the store, and the key ring over org_keys, the table it owns
// (keyring/doc.go says why it is not in the store).
var statementOwners = []string{"store", "keyring"}

// statementCalls are the database/sql methods that run or prepare a
// statement. The ones without a context count only when given an argument
// (a query): url.URL.Query() takes none.
var statementCalls = map[string]bool{
	"QueryContext": true, "ExecContext": true, "QueryRowContext": true, "PrepareContext": true,
	"Query": false, "Exec": false, "QueryRow": false, "Prepare": false,
}

// StatementsOutsideStore returns, for the production Go files under
// intake (the services/intake directory), each call that runs a statement
// outside the statement owners, as "file:line: method": every statement
// of intake belongs to its store.
func StatementsOutsideStore(intake string) ([]string, error) {
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(intake, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(intake, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if first, _, _ := strings.Cut(filepath.ToSlash(rel), "/"); slices.Contains(statementOwners, first) || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			withContext, known := statementCalls[sel.Sel.Name]
			if known && (withContext || len(call.Args) > 0) {
				out = append(out, fmt.Sprintf("%s:%d: %s", filepath.ToSlash(rel), fset.Position(call.Pos()).Line, sel.Sel.Name))
			}
			return true
		})
		return nil
	})
	return out, err
}
