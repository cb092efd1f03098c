package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCasesPurgeReadsThePolicy: `nrm cases purge --policies` reads the
// deployment's workflow.json (its retention periods), so a policy it
// cannot use stops the purge instead of falling back to the shipped one.
func TestCasesPurgeReadsThePolicy(t *testing.T) {
	root := t.TempDir()
	args := []string{"--data", filepath.Join(root, "data"), "--keys", filepath.Join(root, "keys")}
	migratedStore(t, filepath.Join(root, "data"))
	var out, errb syncBuffer
	if code := run(context.Background(), append([]string{"migrate"}, args...), nil, &out, &errb); code != 0 {
		t.Fatalf("migrate: %s", errb.String())
	}
	pol := filepath.Join(root, "policies")
	if err := os.MkdirAll(pol, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pol, "workflow.json"), []byte(`{"reflection_days": 10}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errb = syncBuffer{}, syncBuffer{}
	code := run(context.Background(), append([]string{"cases", "purge", "--policies", pol}, args...), nil, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "workflow policy") {
		t.Fatalf("purge with an unusable policy: exit %d, %q %q", code, out.String(), errb.String())
	}
}
