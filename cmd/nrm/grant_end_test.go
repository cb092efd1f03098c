package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Across services, over HTTP with real tokens: when the shelter marks the
// service completed, referral tells intake and the shelter's grant ends
// after the follow-up window (here 0 days, set in the workflow policy
// given with --policies): it reads the case no more.
func TestGrantEndsWithTheService(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		root := t.TempDir()
		pol := filepath.Join(root, "policies")
		raw, err := os.ReadFile(filepath.Join("..", "..", "policies", "workflow.json"))
		if err != nil {
			t.Fatal(err)
		}
		var wf map[string]any
		if err := json.Unmarshal(raw, &wf); err != nil {
			t.Fatal(err)
		}
		wf["grant_follow_up_days"] = 0
		raw, _ = json.Marshal(wf)
		if err := os.MkdirAll(pol, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pol, "workflow.json"), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data")}
		migrated(t, e, filepath.Join(root, "data"))
		if e.Name == db.Postgres {
			args = append(args, "--database-url", e.Config.URL)
			var out, errb syncBuffer
			if code := run(context.Background(), append([]string{"migrate"}, args...), nil, &out, &errb); code != 0 {
				t.Fatalf("migrate: %s", errb.String())
			}
		}
		s := startServer(t, append(args, "--demo", "--policies", pol)...)
		creds := demoCredentials(t, s.stdout.String())
		officer := login(t, s.base, creds["officer@police.demo"])
		shelter := login(t, s.base, creds["caseworker@shelter.demo"])
		admin := login(t, s.base, creds["sysadmin@commission.demo"])
		shelterOrg := listShelter(t, s.base, admin, shelter, 5)
		st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration("srvend4a"))
		if st != 201 {
			t.Fatalf("register: %d %s", st, b)
		}
		var c struct{ ID string }
		_ = json.Unmarshal(b, &c)
		st, b = call(t, "POST", s.base+"/api/v1/referrals", officer, map[string]any{
			"case_id": c.ID, "service": "shelter", "urgency": "emergency", "candidates": []string{shelterOrg},
		})
		if st != 201 {
			t.Fatalf("refer: %d %s", st, b)
		}
		var r struct{ ID string }
		_ = json.Unmarshal(b, &r)
		for _, step := range []string{"accept", "arrived"} {
			if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+r.ID+"/"+step, shelter, nil); st != 200 {
				t.Fatalf("%s: %d %s", step, st, b)
			}
		}
		if st, body := call(t, "GET", s.base+"/api/v1/cases/"+c.ID, shelter, nil); st != 200 || !strings.Contains(string(body), "srvend4a") {
			t.Fatalf("the shelter cannot read the case while serving: %d", st)
		}
		if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+r.ID+"/complete", shelter, nil); st != 200 {
			t.Fatalf("complete: %d %s", st, b)
		}
		if st, body := call(t, "GET", s.base+"/api/v1/cases/"+c.ID, shelter, nil); st != 404 || strings.Contains(string(body), "srvend4a") {
			t.Fatalf("the shelter reads the case after its service ended: %d", st)
		}
	})
}
