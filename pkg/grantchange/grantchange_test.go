package grantchange

import (
	"encoding/json"
	"testing"
	"time"
)

func TestValidateAdmitsIdsAndKnownReasonsOnly(t *testing.T) {
	ok := Revocation{CaseID: "c1", ReferralID: "r1", OrgID: "o1", GrantID: "g1",
		Reason: ReasonConsentWithdrawn, At: time.Now()}
	for _, tc := range []struct {
		name    string
		edit    func(*Revocation)
		reasons []string
		valid   bool
	}{
		{"well formed", func(*Revocation) {}, ReasonsFromIntake, true},
		{"an intake reason from referral", func(*Revocation) {}, ReasonsFromReferral, false},
		{"a name in an id", func(r *Revocation) { r.CaseID = "Jane Doe" }, ReasonsFromIntake, false},
		{"free text as the reason", func(r *Revocation) { r.Reason = "she moved away" }, ReasonsFromIntake, false},
		{"no grant", func(r *Revocation) { r.GrantID = "" }, ReasonsFromIntake, false},
		{"no time", func(r *Revocation) { r.At = time.Time{} }, ReasonsFromIntake, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.edit(&r)
			if err := r.Validate(tc.reasons); (err == nil) != tc.valid {
				t.Fatalf("Validate: %v, want valid %v", err, tc.valid)
			}
		})
	}
}

// Messages already in deployed outboxes carry an "id" (and a receiver may
// meet fields it does not know): they still decode and validate.
func TestOldMessagesStillDecode(t *testing.T) {
	old := `{"id":"6f1c2d3e-4b5a-8c7d-9e0f-112233445566","case_id":"c1","referral_id":"r1","org_id":"o1",` +
		`"grant_id":"g1","reason":"declined","at":"2024-05-01T10:00:00Z","later":{"x":1}}`
	var r Revocation
	if err := json.Unmarshal([]byte(old), &r); err != nil {
		t.Fatalf("an old message does not decode: %v", err)
	}
	if r.CaseID != "c1" || r.ReferralID != "r1" || r.OrgID != "o1" || r.GrantID != "g1" || r.Reason != ReasonDeclined {
		t.Fatalf("decoded %+v", r)
	}
	if err := r.Validate(ReasonsFromReferral); err != nil {
		t.Fatalf("an old message is refused: %v", err)
	}
}
