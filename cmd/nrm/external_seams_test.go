package main

import (
	"encoding/json"
	"testing"

	"filippo.io/age"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Issue 18's review of its own fixes, against `nrm serve`: (a) the
// owner's officer names a domestic destination with a foreign recipient
// kind and the disclosure leaves with no second person; (b) once the
// person withdraws data-sharing consent, a consent-based package is still
// produced on every download.
func TestExternalSeamsHold(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		_, args := engineArgs(t, e)
		s := startServer(t, append(args, "--demo")...)
		officer := login(t, s.base, demoCredentials(t, s.stdout.String())["officer@police.demo"])
		st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration("probe5x"))
		if st != 201 {
			t.Fatalf("register: %d %s", st, b)
		}
		var c struct{ ID string }
		_ = json.Unmarshal(b, &c)
		key, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		var ext struct{ ID, Status string }
		st, b = call(t, "POST", s.base+"/api/v1/referrals", officer, map[string]any{"case_id": c.ID, "service": "legal_aid",
			"kind": "external", "legal_basis": "vital_interest", "destination": "court", "recipient_kind": "foreign_authority",
			"recipient": key.Recipient().String()})
		if err := json.Unmarshal(b, &ext); err != nil || st != 201 || ext.Status != "awaiting_approval" {
			t.Errorf("a foreign authority behind a court: %d %s, want 201 awaiting_approval", st, b)
		}
		st, b = call(t, "POST", s.base+"/api/v1/referrals", officer, map[string]any{"case_id": c.ID, "service": "legal_aid",
			"kind": "external", "legal_basis": "consent", "destination": "ngo", "recipient": key.Recipient().String()})
		if st != 201 {
			t.Fatalf("external referral on consent: %d %s", st, b)
		}
		_ = json.Unmarshal(b, &ext)
		if st, b := call(t, "GET", s.base+"/api/v1/referrals/"+ext.ID+"/package", officer, nil); st != 200 {
			t.Fatalf("package while consent stands: %d %s", st, b)
		}
		if st, b := call(t, "POST", s.base+"/api/v1/cases/"+c.ID+"/consents", officer,
			map[string]any{"data_sharing": false, "purposes": []string{"data_sharing"}}); st != 201 {
			t.Fatalf("withdraw consent: %d %s", st, b)
		}
		if st, b := call(t, "GET", s.base+"/api/v1/referrals/"+ext.ID+"/package", officer, nil); st != 409 {
			t.Errorf("package after consent was withdrawn: %d %s, want 409", st, b)
		}
	})
}
