package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
)

// pkg is one package's source: what the loader needs to expand an
// interface declared in it.
type pkg struct {
	path, name string
	files      []*ast.File
	// decls maps each top-level type and constant name to the file
	// declaring it (a type's spec is kept for interfaces and aliases).
	decls map[string]decl
}

type decl struct {
	file *ast.File
	spec *ast.TypeSpec // nil for a constant
}

// method is one method of the decorated interface, its types written as
// the output package spells them.
type method struct {
	name     string
	params   []param
	results  []string
	ctxFirst bool // the first parameter is a context.Context
	errLast  bool // the last result is the predeclared error
}

type param struct {
	name, typ string
	variadic  bool
}

// loader reads packages of one module from source and keeps the imports
// the output file needs.
type loader struct {
	modPath, modRoot string
	pkgs             map[string]*pkg // by import path
	out              *importSet
}

// findModule walks up from dir to go.mod and returns the module's root
// and path.
func findModule(dir string) (root, modPath string, err error) {
	if dir, err = filepath.Abs(dir); err != nil {
		return "", "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
					return d, strings.Trim(f[1], `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s: no module line", filepath.Join(d, "go.mod"))
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}

// load parses the non-test Go files of the package at import path p,
// which must belong to the module.
func (l *loader) load(p string) (*pkg, error) {
	if k, ok := l.pkgs[p]; ok {
		return k, nil
	}
	if !l.inModule(p) {
		return nil, fmt.Errorf("package %s is not in module %s: its source is not read", p, l.modPath)
	}
	rel := strings.TrimPrefix(p, l.modPath)
	dir := filepath.Join(l.modRoot, filepath.FromSlash(rel))
	bp, err := build.ImportDir(dir, 0) // the files this build compiles, tests aside
	if err != nil {
		return nil, err
	}
	k := &pkg{path: p, name: bp.Name, decls: map[string]decl{}}
	fset := token.NewFileSet()
	for _, n := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		k.files = append(k.files, f)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					k.decls[s.Name.Name] = decl{file: f, spec: s}
				case *ast.ValueSpec:
					if g.Tok == token.CONST {
						for _, n := range s.Names {
							k.decls[n.Name] = decl{file: f}
						}
					}
				}
			}
		}
	}
	if k.name == "" {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	l.pkgs[p] = k
	return k, nil
}

// methods appends the methods of interface name in k to out, expanding
// embedded interfaces in declaration order; a method met twice (two
// embedded interfaces may share one) is kept once.
func (l *loader) methods(k *pkg, name string, seen map[string]bool, out *[]method) error {
	d, ok := k.decls[name]
	if !ok || d.spec == nil {
		return fmt.Errorf("%s.%s: no such type", k.path, name)
	}
	if d.spec.TypeParams != nil {
		return fmt.Errorf("%s.%s: generic interfaces are not supported", k.path, name)
	}
	switch t := d.spec.Type.(type) {
	case *ast.InterfaceType:
		for _, f := range t.Methods.List {
			if ft, ok := f.Type.(*ast.FuncType); ok && len(f.Names) > 0 {
				for _, n := range f.Names {
					if seen[n.Name] {
						continue
					}
					seen[n.Name] = true
					m, err := l.method(k, d.file, n.Name, ft)
					if err != nil {
						return err
					}
					*out = append(*out, m)
				}
				continue
			}
			if err := l.embedded(k, d.file, f.Type, seen, out); err != nil {
				return fmt.Errorf("%s.%s: %w", k.path, name, err)
			}
		}
		return nil
	default:
		// type X = Y or type X Y: the method set of Y.
		return l.embedded(k, d.file, t, seen, out)
	}
}

func (l *loader) embedded(k *pkg, f *ast.File, e ast.Expr, seen map[string]bool, out *[]method) error {
	switch e := e.(type) {
	case *ast.Ident:
		if e.Name == "error" {
			return errors.New("embedding error is not supported")
		}
		return l.methods(k, e.Name, seen, out)
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		if !ok {
			return fmt.Errorf("cannot expand %s", exprString(e))
		}
		p, err := l.importPath(f, x.Name)
		if err != nil {
			return err
		}
		other, err := l.load(p)
		if err != nil {
			return fmt.Errorf("embedded %s: %w", exprString(e), err)
		}
		return l.methods(other, e.Sel.Name, seen, out)
	default:
		return fmt.Errorf("cannot expand %s (not a named interface)", exprString(e))
	}
}

func (l *loader) method(k *pkg, f *ast.File, name string, ft *ast.FuncType) (method, error) {
	m := method{name: name}
	for i, fl := range fieldList(ft.Params) {
		typ := fl.Type
		variadic := false
		if el, ok := typ.(*ast.Ellipsis); ok {
			typ, variadic = el.Elt, true
		}
		s, err := l.typeString(k, f, typ)
		if err != nil {
			return m, fmt.Errorf("%s.%s: %w", k.path, name, err)
		}
		if i == 0 {
			if sel, ok := typ.(*ast.SelectorExpr); ok && sel.Sel.Name == "Context" {
				if x, ok := sel.X.(*ast.Ident); ok {
					p, _ := l.importPath(f, x.Name)
					m.ctxFirst = p == "context"
				}
			}
		}
		names := fl.Names
		if len(names) == 0 {
			names = []*ast.Ident{{Name: ""}}
		}
		for _, n := range names {
			m.params = append(m.params, param{name: n.Name, typ: s, variadic: variadic})
		}
	}
	res := fieldList(ft.Results)
	for _, fl := range res {
		s, err := l.typeString(k, f, fl.Type)
		if err != nil {
			return m, fmt.Errorf("%s.%s: %w", k.path, name, err)
		}
		for range max(1, len(fl.Names)) {
			m.results = append(m.results, s)
		}
	}
	if len(res) > 0 {
		id, ok := res[len(res)-1].Type.(*ast.Ident)
		_, shadowed := k.decls["error"]
		m.errLast = ok && id.Name == "error" && !shadowed
	}
	if !m.ctxFirst {
		return m, fmt.Errorf("%s.%s: the first parameter is not a context.Context, which the observer needs", k.path, name)
	}
	if !m.errLast {
		return m, fmt.Errorf("%s.%s: the last result is not an error, which the observer reports", k.path, name)
	}
	return m, nil
}

func fieldList(l *ast.FieldList) []*ast.Field {
	if l == nil {
		return nil
	}
	return l.List
}

// typeString writes e, a type in a file of k, as the output package
// spells it: names declared in k are qualified when k is another
// package, and package names are those of the output's imports.
func (l *loader) typeString(k *pkg, f *ast.File, e ast.Expr) (string, error) {
	// A fresh copy, so that renaming leaves the parsed files as read.
	c, err := parser.ParseExpr(exprString(e))
	if err != nil {
		return "", err
	}
	foreign := k.path != l.out.self
	var walk func(ast.Node) bool
	var failed error
	walk = func(n ast.Node) bool {
		if failed != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.Field: // names of struct fields, parameters and methods stay
			ast.Inspect(n.Type, walk)
			return false
		case *ast.SelectorExpr:
			x, ok := n.X.(*ast.Ident)
			if !ok {
				failed = fmt.Errorf("unexpected type %s", exprString(n))
				return false
			}
			p, err := l.importPath(f, x.Name)
			if err != nil {
				failed = err
				return false
			}
			// The name the source uses, unless the output has one for p.
			x.Name = l.out.use(p, x.Name)
			return false
		case *ast.Ident:
			if _, declared := k.decls[n.Name]; declared && foreign {
				if !ast.IsExported(n.Name) {
					failed = fmt.Errorf("%s.%s is not exported", k.path, n.Name)
					return false
				}
				n.Name = l.out.use(k.path, k.name) + "." + n.Name
			} else if !declared && types.Universe.Lookup(n.Name) == nil {
				failed = fmt.Errorf("unknown name %s in %s", n.Name, k.path)
			}
		}
		return true
	}
	ast.Inspect(c, walk)
	if failed != nil {
		return "", failed
	}
	return exprString(c), nil
}

func exprString(e ast.Expr) string {
	var b strings.Builder
	_ = printer.Fprint(&b, token.NewFileSet(), e)
	return b.String()
}
