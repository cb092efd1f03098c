package grantchange

import (
	"testing"
	"time"
)

func TestValidateAdmitsIdsAndKnownReasonsOnly(t *testing.T) {
	ok := Revocation{ID: MessageID("intake", "g1"), CaseID: "c1", ReferralID: "r1", OrgID: "o1", GrantID: "g1",
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

func TestMessageIDNamesOneRevocation(t *testing.T) {
	if MessageID("intake", "g1") != MessageID("intake", "g1") {
		t.Fatal("the same revocation has two ids")
	}
	if MessageID("intake", "g1") == MessageID("referral", "g1") || MessageID("intake", "g1") == MessageID("intake", "g2") {
		t.Fatal("two revocations share an id")
	}
}
