package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Through nrm serve: an officer submits a case, the competent authority
// finds it in its queue, reads it, decides positively with reasons, and
// the case record holds the sealed letter; an illegal move is a 409 that
// names the allowed ones.
func TestDecisionTrackEndToEnd(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data"), "--demo")
	creds := demoCredentials(t, s.stdout.String())
	officer := login(t, s.base, creds["officer@police.demo"])
	dm := login(t, s.base, creds["decisions@authority.demo"])

	st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration("dcsn9b4a"))
	if st != 201 {
		t.Fatalf("register: %d %s", st, b)
	}
	var c struct{ ID string }
	_ = json.Unmarshal(b, &c)
	if st, b := call(t, "GET", s.base+"/api/v1/cases/"+c.ID, dm, nil); st != 404 {
		t.Fatalf("authority reads a case not submitted to it: %d %s", st, b)
	}
	if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c.ID+"/transitions", officer, map[string]string{"to": "rg_positive"}); st != 409 ||
		!strings.Contains(string(b), "submitted") {
		t.Fatalf("illegal transition: %d %s", st, b)
	}
	if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c.ID+"/transitions", officer, map[string]string{"to": "submitted"}); st != 200 {
		t.Fatalf("submit: %d %s", st, b)
	}
	if st, b := call(t, "GET", s.base+"/api/v1/decisions/queue", dm, nil); st != 200 || !strings.Contains(string(b), c.ID) {
		t.Fatalf("queue: %d %s", st, b)
	}
	if st, b := call(t, "GET", s.base+"/api/v1/cases/"+c.ID, dm, nil); st != 200 || !strings.Contains(string(b), "dcsn9b4a") {
		t.Fatalf("authority read after submission: %d %s", st, b)
	}
	if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c.ID+"/transitions", dm,
		map[string]string{"to": "rg_positive", "reason": "Indicators of coercion dcsn9b4a"}); st != 200 {
		t.Fatalf("decision: %d %s", st, b)
	}
	st, b = call(t, "GET", s.base+"/api/v1/cases/"+c.ID+"/workflow", officer, nil)
	if st != 200 || !strings.Contains(string(b), `"decision_state":"rg_positive"`) {
		t.Fatalf("workflow: %d %s", st, b)
	}
	st, b = call(t, "GET", s.base+"/api/v1/cases/"+c.ID+"/entries", officer, nil)
	if st != 200 || !strings.Contains(string(b), "decision_letter") {
		t.Fatalf("entries: %d %s", st, b)
	}
}
