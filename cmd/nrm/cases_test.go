package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// The DESIGN.md minimal registration, with canaries in every section.
func minimalRegistration(canary string) map[string]any {
	return map[string]any{
		"route": "nrm", "identified_on": "2026-11-20", "region": "MA-06", "gender": "female",
		"age_group": "adult", "nationalities": []string{"NG"}, "exploitation_types": []string{"sexual", "labour"},
		"exploitation_location": "both", "needs": []string{"shelter", "medical"}, "languages": []string{"en", "fr"},
		"consent":   map[string]bool{"assistance": true, "nrm_referral": true, "data_sharing": true},
		"identity":  map[string]string{"full_name": "Name " + canary, "date_of_birth": "1999-04-02"},
		"narrative": map[string]string{"account": "Account " + canary},
		"health":    map[string]string{"notes": "Health " + canary},
		"legal":     map[string]string{"notes": "Legal " + canary},
	}
}

// A case registered over HTTP is read back whole by its author, is not
// found by another organisation, survives a key rotation run from the
// command line while the server serves, and every read is in the audit log.
func TestCaseEndToEnd(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		root := t.TempDir()
		keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
		storageArgs := []string{"--keys", keysDir, "--data", dataDir}
		migrated(t, e, dataDir)
		if e.Name == db.Postgres {
			storageArgs = append(storageArgs, "--database-url", e.Config.URL)
			var out, errb syncBuffer
			if code := run(context.Background(), append([]string{"migrate"}, storageArgs...), nil, &out, &errb); code != 0 {
				t.Fatalf("migrate: %s", errb.String())
			}
		}
		s := startServer(t, append(storageArgs, "--demo")...)
		creds := demoCredentials(t, s.stdout.String())
		officer := login(t, s.base, creds["officer@police.demo"])
		ngo := login(t, s.base, creds["caseworker@shelter.demo"])
		auditor := login(t, s.base, creds["auditor@commission.demo"])

		canary := "cnry7f3a9e1d"
		st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration(canary))
		if st != 201 {
			t.Fatalf("register: %d %s", st, b)
		}
		var c struct {
			ID        string                     `json:"id"`
			Reference string                     `json:"reference"`
			OwnerOrg  string                     `json:"owner_org"`
			Sections  map[string]json.RawMessage `json:"sections"`
		}
		if err := json.Unmarshal(b, &c); err != nil || c.ID == "" || !regexp.MustCompile(`^NRM-\d{4}-\d+$`).MatchString(c.Reference) {
			t.Fatalf("registration answer %s", b)
		}
		readAll := func(token string) (int, string) {
			st, b := call(t, "GET", s.base+"/api/v1/cases/"+c.ID, token, nil)
			return st, string(b)
		}
		if st, body := readAll(officer); st != 200 || strings.Count(body, canary) != 4 {
			t.Fatalf("author read: %d %s", st, body)
		}
		if st, body := readAll(ngo); st != 404 || strings.Contains(body, canary) {
			t.Fatalf("other organisation read: %d %s", st, body)
		}

		var out, errb syncBuffer
		if code := run(context.Background(), append([]string{"keys", "rotate", "--org", c.OwnerOrg}, storageArgs...), nil, &out, &errb); code != 0 {
			t.Fatalf("keys rotate: %d %s", code, errb.String())
		}
		if st, body := readAll(officer); st != 200 || strings.Count(body, canary) != 4 {
			t.Fatalf("author read after rotation: %d %s", st, body)
		}

		waitForEvents(t, s.base, auditor, "object_id="+c.ID, map[string]string{
			"intake.case.read": "allowed", "intake.case.register": "allowed",
		})
		waitForEvents(t, s.base, auditor, "object_id="+c.ID+"&outcome=denied", map[string]string{"intake.case.read": "denied"})

		// The commission sees the case only as a (protected) count.
		analyst := login(t, s.base, creds["analyst@commission.demo"])
		deadline := time.Now().Add(20 * time.Second)
		for {
			st, b := call(t, "GET", s.base+"/api/v1/stats/tables/cases_by_age_location?period=2026-11", analyst, nil)
			if st != 200 {
				t.Fatalf("stats table: %d %s", st, b)
			}
			if strings.Contains(string(b), "suppressed") || regexp.MustCompile(`"value":\s*[1-9]`).Match(b) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the registration never reached statistics: %s", b)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Statistics messages share the outbox with audit events but are
		// numbered in their own stream: the audit log sees no gap.
		if st, b := call(t, "GET", s.base+"/api/v1/audit/events?action=audit.gap_detected", auditor, nil); st != 200 || strings.Contains(string(b), "gap_detected") {
			t.Fatalf("audit log flags gaps: %d %s", st, b)
		}
		if st, _ := call(t, "GET", s.base+"/api/v1/cases/"+c.ID, analyst, nil); st != 403 {
			t.Fatalf("analyst reading a case: %d, want 403", st)
		}
		if code := s.stop(); code != 0 {
			t.Fatalf("serve exited %d", code)
		}

		// Nothing of the person is in clear in any database file or log.
		if e.Name == db.SQLite {
			files, _ := filepath.Glob(filepath.Join(dataDir, "*"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err == nil && strings.Contains(string(b), canary) {
					t.Errorf("canary in clear in %s", filepath.Base(f))
				}
			}
		}
		if strings.Contains(s.stderr.String(), canary) || strings.Contains(s.stdout.String(), canary) {
			t.Error("canary in the server's logs")
		}
	})
}

func TestCasesPurgeCommand(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	args := []string{"--data", filepath.Join(root, "data"), "--keys", filepath.Join(root, "keys")}
	migratedStore(t, filepath.Join(root, "data"))
	var out, errb syncBuffer
	if code := run(context.Background(), append([]string{"migrate"}, args...), nil, &out, &errb); code != 0 {
		t.Fatalf("migrate: %s", errb.String())
	}
	out, errb = syncBuffer{}, syncBuffer{}
	if code := run(context.Background(), append([]string{"cases", "purge"}, args...), nil, &out, &errb); code != 0 {
		t.Fatalf("cases purge: %d %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "purged: {") {
		t.Fatalf("cases purge printed %q", out.String())
	}
}
