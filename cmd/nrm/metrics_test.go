package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Metrics name routes, error codes and backlogs that tell an outsider how
// the system is used: they are served on their own listener (loopback by
// default), and the public listener answers 404 for /metrics.
func TestMetricsOnlyOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data"))

	for _, p := range []string{"/metrics", "/metrics/", "/api/v1/metrics"} {
		st, b := call(t, "GET", s.base+p, "", nil)
		if st != 404 || strings.Contains(string(b), "nrm_http_requests_total") || strings.Contains(string(b), "go_goroutines") {
			t.Errorf("public listener GET %s: %d %.200s", p, st, b)
		}
	}

	m := regexp.MustCompile(`metrics on (http://[0-9.:]+)/metrics`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no metrics listener announced:\n%s", s.stdout.String())
	}
	st, b := call(t, "GET", m[1]+"/metrics", "", nil)
	if st != 200 || !strings.Contains(string(b), "nrm_http_requests_total") {
		t.Fatalf("metrics listener: %d %.200s", st, b)
	}
	// The public 404 above was counted: the metrics see the public listener.
	if !strings.Contains(string(b), `code="404",method="GET",route="/"`) {
		t.Fatalf("public requests not counted:\n%.2000s", b)
	}
	// The metrics listener serves nothing else.
	for _, p := range []string{"/healthz", "/api/v1/me", "/openapi.yaml"} {
		if st, _ := call(t, "GET", m[1]+p, "", nil); st != 404 {
			t.Errorf("metrics listener GET %s: %d, want 404", p, st)
		}
	}
}

func TestMetricsAddressDefaultsToLoopback(t *testing.T) {
	fs := newFlagSet("serve", nil)
	var f serveFlags
	f.register(fs)
	if err := parseFlags(fs, nil); err != nil {
		t.Fatal(err)
	}
	if f.metricsAddr != "127.0.0.1:9090" {
		t.Fatalf("default --metrics-addr %q", f.metricsAddr)
	}
	t.Setenv("NRM_METRICS_ADDR", "127.0.0.1:9191")
	fs = newFlagSet("serve", nil)
	f = serveFlags{}
	f.register(fs)
	if err := parseFlags(fs, nil); err != nil || f.metricsAddr != "127.0.0.1:9191" {
		t.Fatalf("NRM_METRICS_ADDR not read: %q %v", f.metricsAddr, err)
	}
}
