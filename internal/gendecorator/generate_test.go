package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixture copies testdata/fixture, a module of its own, to a temporary
// directory and returns the directory of its package svc.
func fixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir("testdata/fixture", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("testdata/fixture", p)
		dst := filepath.Join(root, strings.TrimSuffix(rel, ".txt"))
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "svc")
}

// The decorators generated for an interface of every shape compile,
// forward each call's arguments and results, and report each call to the
// observer (the fixture's own tests say how).
func TestGeneratedDecoratorWorks(t *testing.T) {
	dir := fixture(t)
	if err := run(dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, []string{"-name", "logged", "-caseid", `s,Ping="fixed",Sum=`, "-o", "logged_gen.go"}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "observed_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		header,
		`stdtime "time"` + "\n", // never: the file's time serves both
		"func (m *observed) Ping(p0 context.Context, p1 string) (err error) {",
		"func (m *observed) Sum(ctx context.Context, xs ...int) (r0 int, err error) {",
		"return m.next.Sum(ctx, xs...)",
		"func (m *observed) Split(p0 context.Context, s string, sep string) (r0 string, r1 string, err error) {",
		"func (m *observed) Close(ctx context.Context, m_ string, begin_ int, err_ int) (err error) {",
		"return m.next.Close(ctx, m_, begin_, err_)",
		"func (m *observed) Read(ctx context.Context, ids ...string) (r0 []other.Item, r1 map[string]*other.Item, err error) {",
		"func (m *observed) Now(ctx context.Context) (r0 time.Time, err error) {",
	} {
		has := strings.Contains(string(src), want)
		if has == (want == `stdtime "time"`+"\n") {
			t.Errorf("observed_gen.go has %q: %v\n%s", want, has, src)
		}
	}
	if n := strings.Count(string(src), ") Ping("); n != 1 {
		t.Errorf("Ping written %d times, want once", n)
	}
	cmd := exec.Command("go", "test", "-count=1", "./...")
	cmd.Dir = filepath.Dir(dir)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the fixture with its decorators: %v\n%s", err, out)
	}
}
