package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// Referral's certificate on intake's synchronous revocation route
// (POST /internal/v1/intake/grants/revoke) names a grant of another
// referral, organisation or case: nothing is revoked, and the answer is a
// 4xx (409 not_referrals_grant once the request names the referral and
// organisation; 400 for the old request naming the case and grant
// alone, which used to revoke any referral grant).
func TestInternalRevokeRouteRevokesOnlyTheGrantItNames(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo, other := env.Org("police"), env.Org("ngo"), env.Org("ngo")
		officer := intaketest.Officer(police)
		grant := func(caseID, org string) intake.Grant {
			g, err := env.Service.GrantPending(officer, intake.GrantRequest{CaseID: caseID, OrgID: org,
				Sections: []string{intake.SectionNarrative}, Purpose: "referral", ReferralID: event.NewID(), Service: "shelter"})
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		c1 := env.Register(t, police, intaketest.Registration("Route One "+event.NewID()))
		c2 := env.Register(t, police, intaketest.Registration("Route Two "+event.NewID()))
		mine, theirs := grant(c1.ID, ngo.ID), grant(c2.ID, other.ID)

		s := &system{intake: env.Service, intakeCore: env.Intake}
		var revoke internalRoute
		for _, rt := range s.intakeRoutes() {
			if rt.pattern == "POST /internal/v1/intake/grants/revoke" {
				revoke = rt
			}
		}
		if revoke.serve == nil || len(revoke.callers) != 1 || revoke.callers[0] != "referral" {
			t.Fatalf("revoke route: %+v", revoke)
		}
		post := func(body map[string]string) error {
			b, _ := json.Marshal(body)
			r := httptest.NewRequest("POST", "/internal/v1/intake/grants/revoke", bytes.NewReader(b))
			ctx := auth.WithPrincipal(r.Context(), auth.ServicePrincipal("referral"))
			_, err := revoke.serve(ctx, r.WithContext(ctx))
			return err
		}
		whole := func(g intake.Grant) map[string]string {
			return map[string]string{"case_id": g.CaseID, "referral_id": g.ReferralID, "org_id": g.OrgID, "grant_id": g.ID}
		}
		edit := func(g intake.Grant, k, v string) map[string]string { m := whole(g); m[k] = v; return m }
		for _, tc := range []struct {
			name   string
			body   map[string]string
			status int
			code   string
		}{
			{"the case and grant alone", map[string]string{"case_id": c2.ID, "grant_id": theirs.ID}, 400, kit.CodeValidation},
			{"their grant under my referral", edit(theirs, "referral_id", mine.ReferralID), 409, intake.CodeNotReferralsGrant},
			{"their grant as my organisation", edit(theirs, "org_id", ngo.ID), 409, intake.CodeNotReferralsGrant},
			{"their grant in my case", edit(theirs, "case_id", c1.ID), 409, intake.CodeNotReferralsGrant},
			{"my referral naming their grant", edit(mine, "grant_id", theirs.ID), 409, intake.CodeNotReferralsGrant},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := post(tc.body)
				if ke := kit.AsError(err); err == nil || ke.Status != tc.status || ke.Code != tc.code {
					t.Fatalf("answered %v, want %d %s", err, tc.status, tc.code)
				}
				for _, g := range []intake.Grant{mine, theirs} {
					gs, err := env.Service.ListGrants(officer, g.CaseID)
					if err != nil || len(gs) != 1 || gs[0].Status != intake.GrantPending {
						t.Fatalf("grants of case %s after the forged request: %+v %v", g.CaseID, gs, err)
					}
				}
			})
		}
		// The grant the request names whole is revoked.
		if err := post(whole(mine)); err != nil {
			t.Fatalf("revoking the grant named whole: %v", err)
		}
		if gs, err := env.Service.ListGrants(officer, c1.ID); err != nil || gs[0].Status != intake.GrantRevoked {
			t.Fatalf("the grant named whole: %+v %v", gs, err)
		}
	})
}
