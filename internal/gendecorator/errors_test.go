package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An interface the generator cannot decorate is refused with the reason,
// and nothing is written.
func TestGenerateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		args      []string
		want      string
	}{
		{"no context", "type Service interface{ F(string) error }", nil, "not a context.Context"},
		{"no error", "type Service interface{ F(ctx context.Context) int }", nil, "last result is not an error"},
		{"no result", "type Service interface{ F(ctx context.Context) }", nil, "last result is not an error"},
		{"unexported type of another package", "type Service interface{ inner.Service }", nil, "inner.hidden is not exported"},
		{"package outside the module", "type Service interface{ fmt.Stringer }", nil, "not in module"},
		{"not an interface", "type Service struct{}", nil, "not a named interface"},
		{"no such type", "type Service interface{}", []string{"-type", "Other"}, "Other: no such type"},
		{"case id of no method", "type Service interface{ F(ctx context.Context) error }", []string{"-caseid", "G=x"}, "names G"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, filepath.Join(root, "go.mod"), "module example.com/m\n\ngo 1.26\n")
			write(t, filepath.Join(root, "inner", "inner.go"), "package inner\n\nimport \"context\"\n\ntype hidden struct{}\n\n"+
				"type Service interface{ H(ctx context.Context) (hidden, error) }\n")
			dir := filepath.Join(root, "svc")
			write(t, filepath.Join(dir, "svc.go"), "package svc\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\n\t\"example.com/m/inner\"\n)\n\n"+
				"var _ = fmt.Sprint\nvar _ context.Context\nvar _ inner.Service\n\n"+tc.src+"\n")
			err := run(dir, tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "observed_gen.go")); err == nil {
				t.Error("observed_gen.go written")
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
