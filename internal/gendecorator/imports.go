package main

import (
	"fmt"
	"go/ast"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// importPath is the path of the package that file f imports as name.
// An import without a name is first taken to be named as its path ends;
// the module's own packages are read only when that guess fails.
func (l *loader) importPath(f *ast.File, name string) (string, error) {
	for _, readNames := range []bool{false, true} {
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return "", err
			}
			var n string
			switch {
			case imp.Name != nil:
				n = imp.Name.Name
			case !readNames:
				n = guessName(p)
			case l.inModule(p):
				k, err := l.load(p)
				if err != nil {
					return "", err
				}
				n = k.name
			}
			if n == "." {
				return "", fmt.Errorf("dot import of %s is not supported", p)
			}
			if n == name {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s: no import named %s", f.Name.Name, name)
}

func (l *loader) inModule(p string) bool {
	return p == l.modPath || strings.HasPrefix(p, l.modPath+"/")
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// guessName is the name a package of path p most likely declares: the
// path's last element, without a major version or a gopkg.in .vN suffix
// or a go- prefix.
func guessName(p string) string {
	base := path.Base(p)
	if majorVersion.MatchString(base) && path.Dir(p) != "." {
		base = path.Base(path.Dir(p))
	}
	if i := strings.Index(base, ".v"); i > 0 {
		base = base[:i]
	}
	return strings.TrimPrefix(base, "go-")
}

// importSet is the output file's imports: one name per path, a second
// package of the same name numbered.
type importSet struct {
	self   string // the output package's path, never imported
	byPath map[string]string
	byName map[string]string
}

func newImportSet(self string) *importSet {
	return &importSet{self: self, byPath: map[string]string{}, byName: map[string]string{}}
}

func (s *importSet) use(p, name string) string {
	if n, ok := s.byPath[p]; ok {
		return n
	}
	n := name
	for i := 2; s.byName[n] != ""; i++ {
		n = name + strconv.Itoa(i)
	}
	s.byPath[p], s.byName[n] = n, p
	return n
}
