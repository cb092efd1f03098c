package main

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// TestSplitLoadFigures measures registrations with nrm-loadtest against
// one process and against the split deployment (two intake replicas),
// on the same machine in the same run, both behind the same kind of
// ingress. A figure, not a check: it runs only with NRM_SPLIT_LOAD=1.
//
//	NRM_SPLIT_LOAD=1 NRM_REQUIRE_POSTGRES=1 go test ./cmd/nrm -run TestSplitLoadFigures -v
func TestSplitLoadFigures(t *testing.T) {
	if os.Getenv("NRM_SPLIT_LOAD") != "1" {
		t.Skip("a load figure: set NRM_SPLIT_LOAD=1")
	}
	unlimited := []string{"--rate-address", "1e6", "--rate-user", "1e6", "--rate-org", "1e6", "--duplicate-checks-per-minute", "100000000"}
	d, _ := newSplitDeployment(t, unlimited...)
	split := d.ingressWith(false)
	splitCreds := filepath.Join(filepath.Dir(d.keys), "keys-identity", "demo-credentials.txt")

	// One process on a database of its own, behind the same proxy.
	e := dbtest.Postgres(t)
	keys := filepath.Join(t.TempDir(), "keys")
	if out, err := exec.Command(d.bin, "migrate", "--database-url", e.Config.URL, "--keys", keys).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	one := &proc{name: "one-process", stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	one.cmd = exec.Command(d.bin, append([]string{"serve", "--demo", "--database-url", e.Config.URL, "--keys", keys,
		"--addr", "127.0.0.1:0", "--metrics-addr", "", "--purge-every", "0"}, unlimited...)...)
	one.cmd.Stdout, one.cmd.Stderr = one.stdout, one.stderr
	if err := one.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = one.cmd.Process.Kill(); _ = one.cmd.Wait() })
	one.wait(t)
	u, _ := url.Parse(one.base)
	front := httptest.NewServer(httputil.NewSingleHostReverseProxy(u))
	t.Cleanup(front.Close)

	lt := filepath.Join(filepath.Dir(d.bin), "nrm-loadtest")
	if out, err := exec.Command("go", "build", "-o", lt, "../nrm-loadtest").CombinedOutput(); err != nil {
		t.Fatalf("build nrm-loadtest: %v %s", err, out)
	}
	for round := range 2 {
		for _, target := range []struct{ name, url, creds string }{
			{"one process", front.URL, filepath.Join(keys, "demo-credentials.txt")},
			{"split", split, splitCreds},
		} {
			out, err := exec.Command(lt, "--scenario", "register", "--url", target.url, "--credentials", target.creds,
				"--duration", "15s", "--concurrency", "16").CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v %s", target.name, err, out)
			}
			t.Logf("round %d, %s: %s", round+1, target.name, out)
		}
	}
}
