package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestProviderCaseload: a provider's caseworker lists the people its
// organisation supports (accepted referrals), with service, support state
// and next step, and nothing of the sealed sections; a pending or revoked
// grant and other organisations' cases are not in it.
func TestProviderCaseload(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	owner := intaketest.Officer(w.owner)
	ngo := intaketest.As(w.grantee, auth.RoleNGOCaseworker)
	refer := func(caseID, service string, accept bool) string {
		t.Helper()
		g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: caseID, OrgID: w.grantee.ID,
			Sections: []string{intake.SectionNarrative}, Purpose: "referral", Service: service})
		if err != nil {
			t.Fatal(err)
		}
		if accept {
			if _, err := w.env.Service.ActivateGrant(ngo, caseID, g.ID); err != nil {
				t.Fatal(err)
			}
		}
		return g.ID
	}
	sheltered, pending, ended := w.adultCase(t), w.adultCase(t), w.adultCase(t)
	w.adultCase(t) // the owner's, never referred
	refer(sheltered, "shelter", true)
	refer(pending, "medical", false)
	endedGrant := refer(ended, "legal_aid", true)
	if err := w.env.Service.RevokeGrant(owner, ended, endedGrant); err != nil {
		t.Fatal(err)
	}

	tok := w.token(t, w.grantee, auth.RoleNGOCaseworker)
	page := w.must(t, 200, tok, "GET", "/api/v1/cases", nil)
	load := asList(page["caseload"])
	if len(load) != 1 {
		t.Fatalf("caseload %v, want the one accepted referral", page["caseload"])
	}
	item := load[0].(doc)
	want := doc{"case_id": sheltered, "service": "shelter", "support_state": "open", "next_step": intake.NextSupportPlan}
	for k, v := range want {
		if item[k] != v {
			t.Errorf("caseload %s = %v, want %v", k, item[k], v)
		}
	}
	for _, k := range []string{"sections_content", "identity", "narrative", "gender", "nationalities", "region"} {
		if _, ok := item[k]; ok {
			t.Errorf("caseload carries %s", k)
		}
	}
	if _, err := w.env.Service.AddEntry(ngo, sheltered, intake.EntryInput{Type: intake.EntrySupportPlan,
		Content: []byte(`{"plan":"safe accommodation"}`)}); err != nil {
		t.Fatal(err)
	}
	item = asList(w.must(t, 200, tok, "GET", "/api/v1/cases", nil)["caseload"])[0].(doc)
	if item["next_step"] != intake.NextServiceDelivered {
		t.Fatalf("next step after a support plan: %v", item["next_step"])
	}
	if load := w.must(t, 200, w.token(t, w.other, auth.RoleNGOCaseworker), "GET", "/api/v1/cases", nil)["caseload"]; len(asList(load)) != 0 {
		t.Fatalf("another provider sees a caseload: %v", load)
	}
}
