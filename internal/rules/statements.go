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

// Every statement a service runs belongs to its store: a file named
// store*.go, or any file of a package directory named store. Intake's key
// ring also runs its own, over org_keys, the one table it owns
// (keyring/doc.go says why it is not in the store).

// statementOwners are the packages under services/intake allowed to run
// SQL.
var statementOwners = []string{"store", "keyring"}

// statementCalls are the database/sql methods that run or prepare a
// statement. The ones without a context count only when given an argument
// (a query): url.URL.Query() takes none.
var statementCalls = map[string]bool{
	"QueryContext": true, "ExecContext": true, "QueryRowContext": true, "PrepareContext": true,
	"Query": false, "Exec": false, "QueryRow": false, "Prepare": false,
}

// isStoreFile reports whether path is one whose job is SQL: a file named
// store*.go (store.go, store_release.go) or any file of a package
// directory named store.
func isStoreFile(path string) bool {
	return strings.HasPrefix(filepath.Base(path), "store") || filepath.Base(filepath.Dir(path)) == "store"
}

// StatementsOutsideStore returns, for the production Go files under
// intake (the services/intake directory), each call that runs a statement
// outside the statement owners, as "file:line: method".
func StatementsOutsideStore(intake string) ([]string, error) {
	return statementsUnder(intake, func(rel string) bool {
		first, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		return slices.Contains(statementOwners, first)
	})
}

// StatementsOutsideStores returns, for the production Go files under each
// directory (relative to root), each call that runs a statement in a file
// that is not a store file, as "file:line: method", file relative to root.
func StatementsOutsideStores(root string, dirs ...string) ([]string, error) {
	var out []string
	for _, dir := range dirs {
		calls, err := statementsUnder(filepath.Join(root, dir), isStoreFile)
		if err != nil {
			return nil, err
		}
		for _, c := range calls {
			out = append(out, filepath.ToSlash(filepath.Join(dir, c)))
		}
	}
	return out, nil
}

// statementsUnder walks dir and lists the statements run by production
// files for which owner (given the path relative to dir) is false.
func statementsUnder(dir string, owner func(rel string) bool) ([]string, error) {
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || owner(rel) {
			return nil
		}
		calls, err := statementsIn(fset, filepath.ToSlash(rel), path, nil)
		out = append(out, calls...)
		return err
	})
	return out, err
}

// statementsIn lists, as "name:line: method", the calls in one file (src,
// or read from path when nil) that run a statement. A method declared in
// an interface is not a call.
func statementsIn(fset *token.FileSet, name, path string, src any) ([]string, error) {
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if withContext, known := statementCalls[sel.Sel.Name]; known && (withContext || len(call.Args) > 0) {
			out = append(out, fmt.Sprintf("%s:%d: %s", name, fset.Position(call.Pos()).Line, sel.Sel.Name))
		}
		return true
	})
	return out, nil
}
