package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Across services, over HTTP with real tokens, with the relays of nrm
// serve: revocations of referral grants travel on the outbox both ways.
// Consent withdrawn in intake and the purge show on the referral as the
// grant revoked, with intake's reason; a decline in referral revokes the
// grant in intake.
func TestGrantRevocationsTravelBothWays(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		root := t.TempDir()
		dataDir := filepath.Join(root, "data")
		args := []string{"--keys", filepath.Join(root, "keys"), "--data", dataDir}
		migrated(t, e, dataDir)
		cfg := db.Config{DataDir: dataDir}
		if e.Name == db.Postgres {
			args, cfg = append(args, "--database-url", e.Config.URL), e.Config
		}
		s := startServer(t, append(args, "--demo")...)
		creds := demoCredentials(t, s.stdout.String())
		officer := login(t, s.base, creds["officer@police.demo"])
		shelter := login(t, s.base, creds["caseworker@shelter.demo"])
		admin := login(t, s.base, creds["sysadmin@commission.demo"])
		shelterOrg := listShelter(t, s.base, admin, shelter, 50)
		refer := func(t *testing.T, marker string) (caseID, referralID string) {
			t.Helper()
			st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration(marker))
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
			return c.ID, r.ID
		}
		accept := func(t *testing.T, caseID, referralID string) {
			t.Helper()
			if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+referralID+"/accept", shelter, nil); st != 200 {
				t.Fatalf("accept: %d %s", st, b)
			}
			if st, _ := call(t, "GET", s.base+"/api/v1/cases/"+caseID, shelter, nil); st != 200 {
				t.Fatalf("the shelter cannot read the case it accepted: %d", st)
			}
		}

		t.Run("consent withdrawn in intake", func(t *testing.T) {
			c, r := refer(t, "gbconsent")
			accept(t, c, r)
			if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c+"/consents", officer,
				map[string]any{"assistance": true, "nrm_referral": true, "data_sharing": false}); st != 201 {
				t.Fatalf("withdraw consent: %d %s", st, b)
			}
			waitForGrantState(t, s.base, shelter, r, "consent_withdrawn")
			if st, _ := call(t, "GET", s.base+"/api/v1/cases/"+c, shelter, nil); st != 404 {
				t.Fatalf("the shelter reads the case after consent was withdrawn: %d", st)
			}
		})

		t.Run("a decline in referral", func(t *testing.T) {
			c, r := refer(t, "gbdecline")
			if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+r+"/decline", shelter, map[string]any{"reason": "no_capacity"}); st != 200 {
				t.Fatalf("decline: %d %s", st, b)
			}
			deadline := time.Now().Add(time.Minute)
			for {
				st, b := call(t, "GET", s.base+"/api/v1/cases/"+c+"/grants", officer, nil)
				var gs struct {
					Grants []struct{ Status string }
				}
				if err := json.Unmarshal(b, &gs); st != 200 || err != nil {
					t.Fatalf("grants: %d %s", st, b)
				}
				if len(gs.Grants) == 1 && gs.Grants[0].Status == "revoked" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("intake's grant after the decline: %s", b)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})

		t.Run("the purge", func(t *testing.T) {
			c, r := refer(t, "gbpurge")
			accept(t, c, r)
			if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c+"/support", officer, map[string]any{"to": "closed"}); st != 200 {
				t.Fatalf("close support: %d %s", st, b)
			}
			// The case was closed long enough ago for the purge.
			d, err := db.Open(context.Background(), cfg, "intake")
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.Exec(`UPDATE decisions SET decided_at = $1 WHERE case_id = $2 AND track = 'support' AND to_state = 'closed'`,
				time.Now().UTC().AddDate(-6, 0, 0), c)
			d.Close()
			if err != nil {
				t.Fatal(err)
			}
			var out, errb syncBuffer
			if code := run(context.Background(), append([]string{"cases", "purge"}, args...), nil, &out, &errb); code != 0 ||
				!strings.Contains(out.String(), `"cases":1`) {
				t.Fatalf("cases purge: exit %d, %s %s", code, out.String(), errb.String())
			}
			waitForGrantState(t, s.base, shelter, r, "purged")
		})
	})
}

// waitForGrantState waits until the provider sees its grant of the
// referral revoked for reason.
func waitForGrantState(t *testing.T, base, token, referralID, reason string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st, b := call(t, "GET", base+"/api/v1/referrals/"+referralID, token, nil)
		var r struct {
			GrantState  string `json:"grant_state"`
			GrantReason string `json:"grant_reason"`
		}
		if err := json.Unmarshal(b, &r); st != 200 || err != nil {
			t.Fatalf("referral: %d %s", st, b)
		}
		if r.GrantState == "revoked" && r.GrantReason == reason {
			return
		}
		if r.GrantState == "revoked" || time.Now().After(deadline) {
			t.Fatalf("the provider sees the grant %q (%q), want revoked (%s)", r.GrantState, r.GrantReason, reason)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
