package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Over HTTP with real tokens: a candidate provider sees no name before it
// accepts; after accepting it reads exactly the sections the service
// needs (a shelter: identity); after declining it reads nothing.
func TestReferralSharesOnlyWhatTheProviderNeeds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		_, args := engineArgs(t, e)
		s := startServer(t, append(args, "--demo")...)
		creds := demoCredentials(t, s.stdout.String())
		officer := login(t, s.base, creds["officer@police.demo"])
		shelter := login(t, s.base, creds["caseworker@shelter.demo"])
		admin := login(t, s.base, creds["sysadmin@commission.demo"])

		orgOf := func(token string) string {
			_, b := call(t, "GET", s.base+"/api/v1/me", token, nil)
			var me struct {
				OrgID string `json:"org_id"`
			}
			if err := json.Unmarshal(b, &me); err != nil || me.OrgID == "" {
				t.Fatalf("me: %s", b)
			}
			return me.OrgID
		}
		shelterOrg := orgOf(shelter)
		if st, b := call(t, "PUT", s.base+"/api/v1/providers/"+shelterOrg, admin, map[string]any{
			"name": "Demo shelter", "region": "MA-06", "regions": []string{"MA-06"}, "genders": []string{"female"},
			"accepts_adults": true, "accepts_dependants": true, "languages": []string{"en", "fr", "ar"},
			"availability": "24/7", "active": true, "services": []map[string]any{{"service": "shelter", "places": 5}},
		}); st != 200 {
			t.Fatalf("provider directory: %d %s", st, b)
		}

		refer := func(canary string) (caseID, referralID string) {
			st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration(canary))
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
		readCase := func(id string) (int, string) {
			st, b := call(t, "GET", s.base+"/api/v1/cases/"+id, shelter, nil)
			return st, string(b)
		}

		// Before accepting: a de-identified offer, and no case.
		accepted, refAccepted := refer("accpt5c1")
		st, inbox := call(t, "GET", s.base+"/api/v1/referrals/inbox", shelter, nil)
		if st != 200 || !strings.Contains(string(inbox), refAccepted) {
			t.Fatalf("inbox: %d %s", st, inbox)
		}
		st, offer := call(t, "GET", s.base+"/api/v1/referrals/"+refAccepted, shelter, nil)
		if st != 200 || strings.Contains(string(offer), "accpt5c1") || strings.Contains(string(offer), accepted) {
			t.Fatalf("offer before acceptance shows the person or the case: %d %s", st, offer)
		}
		if st, body := readCase(accepted); st != 404 || strings.Contains(body, "accpt5c1") {
			t.Fatalf("case read before acceptance: %d %s", st, body)
		}

		// After accepting: identity only.
		if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+refAccepted+"/accept", shelter, nil); st != 200 {
			t.Fatalf("accept: %d %s", st, b)
		}
		st, body := readCase(accepted)
		var c struct {
			Sections map[string]json.RawMessage `json:"sections"`
		}
		if st != 200 || json.Unmarshal([]byte(body), &c) != nil {
			t.Fatalf("case read after acceptance: %d %s", st, body)
		}
		if len(c.Sections) != 1 || !strings.Contains(string(c.Sections["identity"]), "accpt5c1") {
			t.Fatalf("shelter reads sections %v, want identity only: %s", sectionNames(c.Sections), body)
		}

		// After declining: nothing.
		declined, refDeclined := refer("dclnd7e2")
		if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+refDeclined+"/decline", shelter, map[string]string{"reason": "no_capacity"}); st != 200 {
			t.Fatalf("decline: %d %s", st, b)
		}
		if st, body := readCase(declined); st != 404 || strings.Contains(body, "dclnd7e2") {
			t.Fatalf("case read after declining: %d %s", st, body)
		}

		// Withdrawn after acceptance: nothing any more, once the revocation
		// has reached intake on referral's outbox (the relay is woken by
		// the withdrawal).
		if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+refAccepted+"/withdraw", officer, nil); st != 200 {
			t.Fatalf("withdraw: %d %s", st, b)
		}
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
			st, body := readCase(accepted)
			if st == 404 && !strings.Contains(body, "accpt5c1") {
				break
			}
			if st != 200 || time.Now().After(deadline) {
				t.Fatalf("case read after withdrawal: %d %s", st, body)
			}
		}
	})
}

func sectionNames(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
