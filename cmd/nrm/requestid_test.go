package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Free text sent as X-Request-Id (here a name and a birth date) never
// reaches the append-only audit log: the server replaces it.
func TestFreeTextRequestIDNeverReachesTheAuditLog(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data"), "--demo")
	creds := demoCredentials(t, s.stdout.String())
	const planted = "amina.benali.born.1999-04-02"

	// A failed login (wrong code) and a denied request, both audited.
	c := creds["officer@police.demo"]
	for _, r := range []struct {
		method, path, token string
		body                map[string]string
	}{
		{"POST", "/api/v1/auth/login", "", map[string]string{"email": c.email, "password": c.password, "otp": "000000"}},
		{"POST", "/api/v1/orgs", login(t, s.base, c), map[string]string{"name": "x", "kind": "ngo"}},
	} {
		body, _ := json.Marshal(r.body)
		req, _ := http.NewRequest(r.method, s.base+r.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-Id", planted)
		if r.token != "" {
			req.Header.Set("Authorization", "Bearer "+r.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-Id"); got == planted || got == "" {
			t.Fatalf("%s %s: request id echoed as %q", r.method, r.path, got)
		}
	}

	auditor := login(t, s.base, creds["auditor@commission.demo"])
	waitForEvents(t, s.base, auditor, "action=identity.orgs.create", map[string]string{"identity.orgs.create": "denied"})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) { // give the failed login's event time to arrive too
		st, b := call(t, "GET", s.base+"/api/v1/audit/events?after=-1&limit=1000", auditor, nil)
		if st != 200 {
			t.Fatalf("events: %d %s", st, b)
		}
		if strings.Contains(string(b), planted) || strings.Contains(string(b), "amina") {
			t.Fatalf("the planted request id is in the audit log: %s", b)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
