package intake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// The referral service revokes a referral grant on the owner's behalf
// only by naming it whole (RevokeReferralGrant: case, referral,
// organisation, grant); the grant API's RevokeGrant, which takes a case
// and a grant id alone, is for the owner and the grantee. It can do
// nothing else.
func TestServicePrincipalRevokesReferralGrantsOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		c := env.Register(t, police, intaketest.Registration("Swept Referral"))
		g := referralGrant(t, env, police, ngo, c.ID, false)
		referralSvc := auth.WithPrincipal(t.Context(), auth.ServicePrincipal("referral"))
		if err := env.Service.RevokeGrant(referralSvc, c.ID, g.ID); err == nil {
			t.Fatal("the referral service revoked a grant named by case and grant id alone")
		}
		if st := grantStatus(t, env, police, c.ID, g.ID); st != intake.GrantPending {
			t.Fatalf("grant %s after a refused revocation, want pending", st)
		}
		whole := intake.ReferralGrant{CaseID: c.ID, ReferralID: g.ReferralID, OrgID: ngo.ID, GrantID: g.ID}
		for i := range 2 { // a retry changes nothing more
			if err := env.Intake.RevokeReferralGrant(referralSvc, whole); err != nil {
				t.Fatalf("referral revoking its referral's grant (%d): %v", i+1, err)
			}
		}
		if st := grantStatus(t, env, police, c.ID, g.ID); st != intake.GrantRevoked {
			t.Fatalf("grant still %s", st)
		}
		if n := revokeEvents(t, env, g.ID); n != 1 {
			t.Fatalf("%d revocation audit events, want 1", n)
		}
		// Referral asked, and marked the grant itself: nothing comes back.
		if told, _ := toldReferral(t, env); len(told) != 0 {
			t.Fatalf("intake echoed referral's own revocation: %+v", told)
		}
		// Nothing else opens to it: no reads, no other grants.
		if _, err := env.Service.Get(referralSvc, c.ID); err == nil {
			t.Fatal("the referral job read a case")
		}
		if _, err := env.Service.GrantPending(referralSvc, intake.GrantRequest{
			CaseID: c.ID, OrgID: ngo.ID, Sections: []string{intake.SectionIdentity}, Purpose: "referral", Service: "shelter",
		}); err == nil {
			t.Fatal("the referral job granted access")
		}
	})
}

// Referral's synchronous revocation (the grants of a referral it could not
// write) names a grant of another referral, organisation or case, or a
// grant that is no referral's: it is refused with 409
// not_referrals_grant, logged, and nothing is revoked or told.
func TestRevokeReferralGrantRefusesAnotherGrant(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo, other := env.Org("police"), env.Org("ngo"), env.Org("ngo")
		c1 := env.Register(t, police, intaketest.Registration("First "+event.NewID()))
		c2 := env.Register(t, police, intaketest.Registration("Second "+event.NewID()))
		mine := referralGrant(t, env, police, ngo, c1.ID, false)
		theirs := referralGrant(t, env, police, other, c2.ID, true)
		// A grant made outside any referral (the owner's own sharing).
		plain, err := env.Service.GrantPending(intaketest.Officer(police), intake.GrantRequest{CaseID: c1.ID, OrgID: other.ID,
			Sections: []string{intake.SectionNarrative}, Purpose: "guardian"})
		if err != nil {
			t.Fatal(err)
		}
		named := func(g intake.Grant) intake.ReferralGrant {
			return intake.ReferralGrant{CaseID: g.CaseID, ReferralID: g.ReferralID, OrgID: g.OrgID, GrantID: g.ID}
		}
		forged := map[string]intake.ReferralGrant{
			"their grant under my referral":  func() intake.ReferralGrant { r := named(theirs); r.ReferralID = mine.ReferralID; return r }(),
			"their grant as my organisation": func() intake.ReferralGrant { r := named(theirs); r.OrgID = ngo.ID; return r }(),
			"their grant in my case":         func() intake.ReferralGrant { r := named(theirs); r.CaseID = c1.ID; return r }(),
			"my grant under their referral":  func() intake.ReferralGrant { r := named(mine); r.ReferralID = theirs.ReferralID; return r }(),
			"my grant as another org":        func() intake.ReferralGrant { r := named(mine); r.OrgID = other.ID; return r }(),
			"a grant of no referral":         {CaseID: c1.ID, ReferralID: mine.ReferralID, OrgID: other.ID, GrantID: plain.ID},
			"an unknown grant":               func() intake.ReferralGrant { r := named(mine); r.GrantID = event.NewID(); return r }(),
		}
		referralSvc := auth.WithPrincipal(t.Context(), auth.ServicePrincipal("referral"))
		for name, req := range forged {
			t.Run(name, func(t *testing.T) {
				err := env.Intake.RevokeReferralGrant(referralSvc, req)
				if !errors.Is(err, intake.ErrNotReferralsGrant) {
					t.Fatalf("RevokeReferralGrant: %v, want ErrNotReferralsGrant", err)
				}
				if ke := kit.AsError(err); ke.Status != 409 || ke.Code != intake.CodeNotReferralsGrant {
					t.Fatalf("answered %d %s", ke.Status, ke.Code)
				}
			})
		}
		for _, tc := range []struct {
			caseID, id, want string
		}{{c1.ID, mine.ID, intake.GrantPending}, {c2.ID, theirs.ID, intake.GrantActive}, {c1.ID, plain.ID, intake.GrantPending}} {
			if st := grantStatus(t, env, police, tc.caseID, tc.id); st != tc.want {
				t.Fatalf("grant %s is %s after the forged requests, want %s", tc.id, st, tc.want)
			}
		}
		if n := revokeEvents(t, env, mine.ID) + revokeEvents(t, env, theirs.ID) + revokeEvents(t, env, plain.ID); n != 0 {
			t.Fatalf("%d revocation events", n)
		}
		if told, _ := toldReferral(t, env); len(told) != 0 {
			t.Fatalf("forged requests made intake tell referral %+v", told)
		}
		if !strings.Contains(string(env.Logs.Bytes()), "not that referral's grant") {
			t.Fatal("a refused revocation is not logged")
		}
		// A request missing what names the grant is refused field by field.
		err = env.Intake.RevokeReferralGrant(referralSvc, intake.ReferralGrant{CaseID: c1.ID, GrantID: mine.ID})
		if ke := kit.AsError(err); ke.Status != 400 || len(ke.Fields) != 2 {
			t.Fatalf("a request naming no referral or organisation: %v", err)
		}
	})
}
