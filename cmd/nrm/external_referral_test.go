package main

import (
	"encoding/json"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Issue 18's attack against `nrm serve`: the shelter that accepted a
// referral, and so holds a grant on the case, refers the case outside the
// system to a key of its choosing and downloads identity, narrative and
// legal data. Only the owner discloses; the owner's external referral is
// in the auditors' disclosure list and in the person's access report; a
// consent basis needs consent that covers the recipient.
func TestExternalReferralIsTheOwnersAct(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		_, args := engineArgs(t, e)
		s := startServer(t, append(args, "--demo")...)
		creds := demoCredentials(t, s.stdout.String())
		officer := login(t, s.base, creds["officer@police.demo"])
		shelter := login(t, s.base, creds["caseworker@shelter.demo"])
		admin := login(t, s.base, creds["sysadmin@commission.demo"])
		auditor := login(t, s.base, creds["auditor@commission.demo"])

		_, me := call(t, "GET", s.base+"/api/v1/me", shelter, nil)
		var who struct {
			OrgID string `json:"org_id"`
		}
		_ = json.Unmarshal(me, &who)
		if st, b := call(t, "PUT", s.base+"/api/v1/providers/"+who.OrgID, admin, map[string]any{
			"name": "Demo shelter", "region": "MA-06", "regions": []string{"MA-06"}, "accepts_adults": true,
			"availability": "24/7", "active": true, "services": []map[string]any{{"service": "shelter", "places": 5}},
		}); st != 200 {
			t.Fatalf("provider directory: %d %s", st, b)
		}
		st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration("xb0rder9"))
		if st != 201 {
			t.Fatalf("register: %d %s", st, b)
		}
		var c struct{ ID string }
		_ = json.Unmarshal(b, &c)
		st, b = call(t, "POST", s.base+"/api/v1/referrals", officer, map[string]any{
			"case_id": c.ID, "service": "shelter", "urgency": "emergency", "candidates": []string{who.OrgID}})
		if st != 201 {
			t.Fatalf("refer: %d %s", st, b)
		}
		var r struct{ ID string }
		_ = json.Unmarshal(b, &r)
		if st, b := call(t, "POST", s.base+"/api/v1/referrals/"+r.ID+"/accept", shelter, nil); st != 200 {
			t.Fatalf("accept: %d %s", st, b)
		}

		key, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		external := func(dest, basis string) map[string]any {
			return map[string]any{"case_id": c.ID, "service": "legal_aid", "kind": "external", "legal_basis": basis,
				"destination": dest, "recipient": key.Recipient().String()}
		}
		st, b = call(t, "POST", s.base+"/api/v1/referrals", shelter, external("ngo", "vital_interest"))
		if st != 403 {
			t.Errorf("the grantee's external referral: %d %s, want 403", st, b)
			var x struct{ ID string }
			if json.Unmarshal(b, &x) == nil && x.ID != "" {
				if st, _ := call(t, "GET", s.base+"/api/v1/referrals/"+x.ID+"/package", shelter, nil); st == 200 {
					t.Error("the grantee downloaded a package of the case")
				}
			}
		}

		// Consent was given for service providers, not for the police.
		if st, b := call(t, "POST", s.base+"/api/v1/referrals", officer, external("police", "consent")); st != 409 ||
			!strings.Contains(string(b), "consent_required") {
			t.Errorf("consent basis not covered: %d %s, want 409 consent_required", st, b)
		}
		st, b = call(t, "POST", s.base+"/api/v1/referrals", officer, external("ngo", "consent"))
		if st != 201 {
			t.Fatalf("the owner's external referral: %d %s", st, b)
		}
		var ext struct{ ID, Status string }
		_ = json.Unmarshal(b, &ext)
		if st, _ := call(t, "GET", s.base+"/api/v1/referrals/"+ext.ID+"/package", officer, nil); st != 200 {
			t.Fatalf("the owner's package: %d", st)
		}

		st, b = call(t, "GET", s.base+"/api/v1/disclosures", auditor, nil)
		if st != 200 || !strings.Contains(string(b), c.ID) {
			t.Errorf("auditors' disclosure list: %d, without the case: %s", st, b)
		}
		st, b = call(t, "GET", s.base+"/api/v1/cases/"+c.ID+"/access-report?lang=en", auditor, nil)
		if st != 200 || !strings.Contains(string(b), `"kind":"disclosure"`) {
			t.Errorf("access report: %d, without the disclosure: %s", st, b)
		}
	})
}
