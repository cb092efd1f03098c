package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

// The load generator is its own command (cmd/nrm-loadtest): the production
// binary neither offers it nor links any package of it, so a deployed
// server never carries the code that floods a server.
func TestProductionBinaryHasNoLoadGenerator(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"loadtest", "--url", "http://127.0.0.1:1"}, nil, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("nrm loadtest: exit %d, stderr %q; want 2, unknown command", code, errb.String())
	}
	if strings.Contains(usage, "loadtest") {
		t.Error("the usage still lists loadtest")
	}
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(deps)) {
		if strings.Contains(p, "loadtest") {
			t.Errorf("nrm links %s", p)
		}
	}
}
