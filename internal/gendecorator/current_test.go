package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every decorator committed is what the generator makes of its package
// today: after changing a Service, run go generate in its package.
func TestGeneratedDecoratorsAreCurrent(t *testing.T) {
	root, _, err := findModule(".")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, args := range directives(src) {
			found++
			rel, _ := filepath.Rel(root, p)
			t.Run(rel, func(t *testing.T) { checkCurrent(t, filepath.Dir(p), filepath.Dir(rel), args) })
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 5 { // audit, identity, referral, notices and stats at least
		t.Errorf("found %d go:generate lines running the generator, want 5 or more", found)
	}
}

// checkCurrent regenerates the decorator of the package in dir (rel from
// the module's root) in a temporary directory and compares.
func checkCurrent(t *testing.T, dir, rel string, args []string) {
	t.Helper()
	out, rest := "observed_gen.go", []string{}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-o" && i+1 < len(args):
			out = args[i+1]
			i++
		case strings.HasPrefix(a, "-o="):
			out = strings.TrimPrefix(a, "-o=")
		default:
			rest = append(rest, a)
		}
	}
	tmp := filepath.Join(t.TempDir(), out)
	if err := run(dir, append(rest, "-o", tmp)); err != nil {
		t.Fatalf("%s: the generator fails: %v", rel, err)
	}
	want, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, out))
	if err != nil {
		t.Fatalf("%s: %v: run go generate ./%s", rel, err, rel)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s/%s is not what its Service generates: run go generate ./%s", rel, out, rel)
	}
}

// directives returns the arguments of each go:generate line of src that
// runs the generator (flags with spaces aside, which no service needs).
func directives(src []byte) [][]string {
	var all [][]string
	for line := range strings.SplitSeq(string(src), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "//go:generate" || f[1] != "go" || f[2] != "run" || !strings.HasSuffix(f[3], "internal/gendecorator") {
			continue
		}
		args := f[4:]
		for i, a := range args {
			if u, err := strconv.Unquote(a); err == nil {
				args[i] = u
			}
		}
		all = append(all, args)
	}
	return all
}
