package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/mtls"
)

// A service's exported key directory holds no master key: it cannot run
// another service, nor everything in one process, and says which keys it
// lacks.
func TestExportedKeysRunOnlyTheirService(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	full, certs, statsKeys := filepath.Join(root, "keys"), filepath.Join(root, "certs"), filepath.Join(root, "stats-keys")
	if err := mtls.Issue(certs, [][]string{{"intake"}, {"stats"}}, nil, time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	if code := run(context.Background(), []string{"keys", "export", "--keys", full, "--data", filepath.Join(root, "data"),
		"--service", "stats", "--out", statsKeys}, nil, &out, &errb); code != 0 {
		t.Fatalf("keys export: %d %s", code, errb.String())
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"intake with stats' keys", []string{"--services", "intake", "--certs", certs, "--internal-addr", "127.0.0.1:0",
			"--peer", "identity=https://127.0.0.1:1", "--peer", "audit=https://127.0.0.1:1",
			"--peer", "stats=https://127.0.0.1:1", "--peer", "referral=https://127.0.0.1:1"}, "intake/wrap/v1"},
		{"everything with stats' keys", nil, "full directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb syncBuffer
			args := append([]string{"serve", "--keys", statsKeys, "--data", filepath.Join(root, "data2"), "--addr", "127.0.0.1:0", "--metrics-addr", ""}, tc.args...)
			if code := run(context.Background(), args, nil, &out, &errb); code == 0 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d: %s; want a refusal naming %q", code, errb.String(), tc.want)
			}
		})
	}
}
