package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// The referral service's background job revokes a referral grant (expiry,
// a lost emergency race) on the owner's behalf; it can do nothing else.
func TestServicePrincipalRevokesReferralGrantsOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		officer := intaketest.Officer(police)
		c := env.Register(t, police, intaketest.Registration("Swept Referral"))
		g, err := env.Service.GrantPending(officer, intake.GrantRequest{
			CaseID: c.ID, OrgID: ngo.ID, Sections: []string{intake.SectionIdentity}, Purpose: "referral", Service: "shelter",
		})
		if err != nil {
			t.Fatal(err)
		}
		sweeper := auth.WithPrincipal(t.Context(), auth.ServicePrincipal("referral"))
		if err := env.Service.RevokeGrant(sweeper, c.ID, g.ID); err != nil {
			t.Fatalf("referral job revoking a referral grant: %v", err)
		}
		grants, err := env.Service.ListGrants(officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range grants {
			if x.ID == g.ID && x.Status != intake.GrantRevoked {
				t.Fatalf("grant still %s", x.Status)
			}
		}
		// Nothing else opens to it: no reads, no other grants.
		if _, err := env.Service.Get(sweeper, c.ID); err == nil {
			t.Fatal("the referral job read a case")
		}
		if _, err := env.Service.GrantPending(sweeper, intake.GrantRequest{
			CaseID: c.ID, OrgID: ngo.ID, Sections: []string{intake.SectionIdentity}, Purpose: "referral", Service: "shelter",
		}); err == nil {
			t.Fatal("the referral job granted access")
		}
	})
}
