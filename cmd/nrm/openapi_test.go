package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exampleQuery gives routes whose required parameters are checked before
// authentication a well-formed query.
var exampleQuery = map[string]string{"/api/v1/audit/consistency": "from=1&to=2", "/api/v1/audit/public/consistency": "from=1&to=2"}

// Every operation the OpenAPI document names is served: without a token a
// protected route answers 401 and a public one something other than 404
// or 405, so a route renamed in code but not in the document (or the other
// way round) fails here.
func TestOpenAPIRoutesAreServed(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--data", filepath.Join(root, "data"), "--keys", filepath.Join(root, "keys"))
	var (
		pathRe   = regexp.MustCompile(`^  (/[^:]*):\s*$`)
		methodRe = regexp.MustCompile(`^    (get|post|put|patch|delete):\s*$`)
		path     string
		ops      int
	)
	public := map[string]bool{
		"GET /healthz": true, "GET /readyz": true, "GET /openapi.yaml": true,
		"POST /api/v1/auth/login": true, "POST /api/v1/auth/refresh": true, "GET /api/v1/auth/keys": true,
		"GET /api/v1/audit/public/key": true, "GET /api/v1/audit/public/checkpoint": true,
		"GET /api/v1/audit/public/proofs/{index}": true, "GET /api/v1/audit/public/consistency": true,
		"POST /api/v1/auth/enrolment": true, "POST /api/v1/auth/password-reset": true,
	}
	for _, line := range strings.Split(string(openAPI), "\n") {
		if m := pathRe.FindStringSubmatch(line); m != nil {
			path = m[1]
			continue
		}
		m := methodRe.FindStringSubmatch(line)
		if m == nil || path == "" {
			continue
		}
		ops++
		method := strings.ToUpper(m[1])
		url := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b00")
		if q, ok := exampleQuery[path]; ok {
			url += "?" + q
		}
		var body any
		if method != "GET" {
			body = map[string]any{}
		}
		st, b := call(t, method, s.base+url, "", body)
		op := method + " " + path
		switch {
		case public[op] && (st == 405 || (st == 404 && !strings.Contains(string(b), "no checkpoint yet"))):
			// (the audit log of a fresh server has no checkpoint yet)
			t.Errorf("%s: %d %s (not served)", op, st, b)
		case !public[op] && st != 401 && !(st == 400 && strings.Contains(string(b), `"code":"validation_failed"`)):
			// (a decoder may refuse an empty body before authentication)
			t.Errorf("%s without a token: %d %s, want 401", op, st, b)
		}
	}
	// Metrics are served on their own listener, not documented here, and
	// the public listener does not answer them.
	if strings.Contains(string(openAPI), "\n  /metrics:") {
		t.Error("openapi.yaml documents /metrics on the public API")
	}
	if st, b := call(t, "GET", s.base+"/metrics", "", nil); st != 404 {
		t.Errorf("GET /metrics on the public listener: %d %.100s, want 404", st, b)
	}
	if ops < 30 {
		t.Fatalf("only %d operations found in openapi.yaml", ops)
	}
}
