package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// When the national desk places a referral that found no provider, the
// referral service makes the provider's pending grant on the owner's
// behalf. Only a referral's grant, only pending (the provider's acceptance
// makes it readable), and never at a user's request: a coordinator calling
// intake directly is refused.
func TestReferralPlacementGrantsOnTheOwnersBehalf(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo, desk := env.Org("police"), env.Org("ngo"), env.Org("competent_authority")
		c := env.Register(t, police, intaketest.Registration("Placed By The Desk"))
		req := intake.GrantRequest{CaseID: c.ID, OrgID: ngo.ID, Sections: []string{intake.SectionIdentity},
			Purpose: "referral", Service: "shelter", ReferralID: event.NewID()}

		coordinator := intaketest.As(desk, auth.RoleCoordinator)
		if _, err := env.Service.GrantPending(coordinator, req); err == nil {
			t.Fatal("a coordinator granted another organisation's case directly")
		}
		referralJob := auth.WithPrincipal(t.Context(), auth.ServicePrincipal("referral"))
		noReferral := req
		noReferral.ReferralID = ""
		if _, err := env.Service.GrantPending(referralJob, noReferral); err == nil {
			t.Fatal("the referral service granted outside a referral")
		}
		g, err := env.Service.GrantPending(referralJob, req)
		if err != nil {
			t.Fatalf("placement grant: %v", err)
		}
		if g.Status != intake.GrantPending || g.GrantedBy != "intake" {
			t.Fatalf("placement grant: %s by %q", g.Status, g.GrantedBy)
		}
		provider := intaketest.As(ngo, auth.RoleNGOCaseworker)
		if _, err := env.Service.Get(provider, c.ID); err == nil {
			t.Fatal("the provider reads the case before accepting")
		}
		if _, err := env.Service.ActivateGrant(provider, c.ID, g.ID); err != nil {
			t.Fatalf("activate: %v", err)
		}
		got, err := env.Service.Get(provider, c.ID)
		if err != nil || got.Sections[intake.SectionIdentity] == nil {
			t.Fatalf("the provider does not read the granted section after accepting: %v", err)
		}
	})
}
