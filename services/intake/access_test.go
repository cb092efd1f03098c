package intake_test

import (
	"context"
	"slices"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// grant makes a pending referral grant of sections to org, made by the
// owner's officer.
func grant(t *testing.T, env *intaketest.Env, owner, to intake.OrgInfo, caseID string, sections ...string) intake.Grant {
	t.Helper()
	g, err := env.Service.GrantPending(intaketest.Officer(owner), intake.GrantRequest{
		CaseID: caseID, OrgID: to.ID, Sections: sections, Purpose: "referral", Service: "shelter",
	})
	if err != nil {
		t.Fatalf("grant pending: %v", err)
	}
	if g.Status != intake.GrantPending {
		t.Fatalf("grant status %s", g.Status)
	}
	return g
}

func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, otherPolice := env.Org("police"), env.Org("police")
		active, pending, revoked := env.Org("ngo"), env.Org("ngo"), env.Org("ngo")
		authority := env.Org(intake.OrgKindCompetentAuthority)
		c := env.Register(t, police, intaketest.Registration("Matrix Person"))

		g := grant(t, env, police, active, c.ID, intake.SectionIdentity, intake.SectionNarrative)
		if _, err := env.Service.ActivateGrant(intaketest.As(active, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		grant(t, env, police, pending, c.ID, intake.SectionIdentity)
		g = grant(t, env, police, revoked, c.ID, intake.SectionIdentity)
		if _, err := env.Service.ActivateGrant(intaketest.As(revoked, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if err := env.Service.RevokeGrant(intaketest.Officer(police), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}

		all := []string{intake.SectionHealth, intake.SectionIdentity, intake.SectionLegal, intake.SectionNarrative}
		decision := []string{intake.SectionIdentity, intake.SectionLegal, intake.SectionNarrative}
		type row struct {
			name string
			ctx  context.Context
			want []string // sections; nil means ErrNotFound
		}
		before := []row{
			{"author org", intaketest.Officer(police), all},
			{"active grantee", intaketest.As(active, auth.RoleNGOCaseworker), []string{intake.SectionIdentity, intake.SectionNarrative}},
			{"pending grantee", intaketest.As(pending, auth.RoleNGOCaseworker), nil},
			{"revoked grantee", intaketest.As(revoked, auth.RoleNGOCaseworker), nil},
			{"other organisation", intaketest.Officer(otherPolice), nil},
			{"decision maker before submit", intaketest.As(authority, auth.RoleDecisionMaker), nil},
			{"system principal", intaketest.System(), nil},
		}
		after := []row{
			{"decision maker after submit", intaketest.As(authority, auth.RoleDecisionMaker), decision},
			{"author org after submit", intaketest.Officer(police), all},
			{"other organisation after submit", intaketest.Officer(otherPolice), nil},
		}
		check := func(t *testing.T, rows []row) {
			for _, tt := range rows {
				t.Run(tt.name, func(t *testing.T) {
					got, err := env.Service.Get(tt.ctx, c.ID)
					if tt.want == nil {
						wantErr(t, err, intake.ErrNotFound)
						if got.ID != "" || got.Sections != nil {
							t.Fatal("a denied read returned data")
						}
						ev, ok := lastAudit(t, env, "intake.case.read", c.ID)
						if !ok || ev.Outcome != event.Denied {
							t.Fatalf("denial not audited: %+v", ev)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					var names []string
					for n := range got.Sections {
						names = append(names, n)
					}
					slices.Sort(names)
					if !slices.Equal(names, tt.want) {
						t.Fatalf("sections = %v, want %v", names, tt.want)
					}
					if identityOf(t, got).FullName != "Matrix Person" {
						t.Fatal("identity section content wrong")
					}
					if ev, ok := lastAudit(t, env, "intake.case.read", c.ID); !ok || ev.Outcome != event.Allowed {
						t.Fatalf("read not audited: %+v", ev)
					}
				})
			}
		}
		check(t, before)
		sub, err := env.Service.Submit(intaketest.Officer(police), c.ID)
		if err != nil || sub.Status != intake.StatusSubmitted {
			t.Fatalf("submit = %v, %v", sub.Status, err)
		}
		check(t, after)
		_, err = env.Service.Submit(intaketest.Officer(police), c.ID)
		wantErr(t, err, intake.ErrInvalidState)
	})
}

func TestGrantConsentRules(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police, ngo, labour := env.Org("police"), env.Org("ngo"), env.Org("labour_inspectorate")
	childNGO := env.Org("ngo")
	env.Orgs.OfferChildProtection(childNGO)
	adult := env.Register(t, police, intaketest.Registration("Adult Person"))
	noSharing := intaketest.Registration("Private Person")
	noSharing.Consent.DataSharing = false
	private := env.Register(t, police, noSharing)
	childReg := intaketest.Registration("Child Person")
	childReg.AgeGroup, childReg.Consent = "child", intake.ConsentInput{}
	child := env.Register(t, police, childReg)
	anonReg := intaketest.Registration("")
	anonReg.Route, anonReg.Identity, anonReg.Narrative, anonReg.Health, anonReg.Legal = intake.RouteAnonymous, nil, nil, nil, nil
	anon := env.Register(t, police, anonReg)

	tests := []struct {
		name    string
		caseID  string
		to      intake.OrgInfo
		purpose string
		service string
		want    error
	}{
		{"adult, kind covered by consent", adult.ID, ngo, "referral", "shelter", nil},
		{"adult, kind not covered", adult.ID, labour, "referral", "shelter", intake.ErrConsentRequired},
		{"adult without data sharing consent", private.ID, ngo, "referral", "shelter", intake.ErrConsentRequired},
		// The exemption follows the recipient, not the purpose word.
		{"child, child-protection organisation without consent", child.ID, childNGO, "referral", intake.ServiceChildProtection, nil},
		{"child, child-protection organisation, another service", child.ID, childNGO, "referral", "shelter", nil},
		{"child, 'child_protection' to an ngo that offers none", child.ID, ngo, "referral", intake.ServiceChildProtection, intake.ErrConsentRequired},
		{"child, other service without consent", child.ID, ngo, "referral", "shelter", intake.ErrConsentRequired},
		{"child, 'guardian' to an organisation that is not the guardian's", child.ID, ngo, "guardian", "", intake.ErrConsentRequired},
		{"anonymous notification", anon.ID, ngo, "referral", "shelter", intake.ErrInvalidState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.Service.GrantPending(intaketest.Officer(police), intake.GrantRequest{
				CaseID: tt.caseID, OrgID: tt.to.ID, Sections: []string{intake.SectionNarrative}, Purpose: tt.purpose, Service: tt.service,
			})
			if tt.want == nil && err != nil || tt.want != nil {
				if tt.want == nil {
					t.Fatal(err)
				}
				wantErr(t, err, tt.want)
			}
		})
	}
	t.Run("not the owner", func(t *testing.T) {
		_, err := env.Service.GrantPending(intaketest.Officer(ngo), intake.GrantRequest{
			CaseID: adult.ID, OrgID: ngo.ID, Sections: []string{intake.SectionNarrative}, Purpose: "referral",
		})
		wantErr(t, err, intake.ErrNotFound)
	})
	t.Run("consent withdrawal revokes", func(t *testing.T) {
		g := grant(t, env, police, ngo, adult.ID, intake.SectionIdentity)
		if _, err := env.Service.ActivateGrant(intaketest.As(ngo, auth.RoleNGOCaseworker), adult.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.Get(intaketest.As(ngo, auth.RoleNGOCaseworker), adult.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.RecordConsent(intaketest.Officer(police), adult.ID, intake.ConsentInput{Assistance: true, NRMReferral: true}); err != nil {
			t.Fatal(err)
		}
		_, err := env.Service.Get(intaketest.As(ngo, auth.RoleNGOCaseworker), adult.ID)
		wantErr(t, err, intake.ErrNotFound)
		if n := count(t, env, `SELECT COUNT(*) FROM wraps WHERE case_id = $1 AND org_id = $2`, adult.ID, ngo.ID); n != 0 {
			t.Fatalf("grantee still holds a wrap after withdrawal")
		}
	})
}

func TestTransfer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		c := env.Register(t, police, intaketest.Registration("Transferred Person"))
		moved, err := env.Service.Transfer(intaketest.Officer(police), c.ID, ngo.ID)
		if err != nil || moved.OwnerOrg != ngo.ID {
			t.Fatalf("transfer = %v, %v", moved.OwnerOrg, err)
		}
		for _, ctx := range []context.Context{intaketest.Officer(police), intaketest.As(ngo, auth.RoleNGOCaseworker)} {
			got, err := env.Service.Get(ctx, c.ID)
			if err != nil || len(got.Sections) != 4 || identityOf(t, got).FullName != "Transferred Person" {
				t.Fatalf("read after transfer: %v, %v", sectionNames(got), err)
			}
		}
		_, err = env.Service.Transfer(intaketest.Officer(police), c.ID, env.Org("social_services").ID)
		wantErr(t, err, intake.ErrNotFound)
		page, err := env.Service.List(intaketest.As(ngo, auth.RoleNGOCaseworker), intake.ListQuery{})
		if err != nil || len(page.Cases) != 1 || page.Cases[0].ID != c.ID {
			t.Fatalf("new owner's list = %+v, %v", page, err)
		}
	})
}

func TestListPaging(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police := env.Org("police")
	for range 5 {
		env.Register(t, police, intaketest.Registration("Listed Person"))
	}
	env.Register(t, env.Org("police"), intaketest.Registration("Someone Else"))
	seen := map[string]bool{}
	q := intake.ListQuery{Limit: 2}
	for {
		page, err := env.Service.List(intaketest.Officer(police), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Cases {
			if seen[c.ID] || c.OwnerOrg != police.ID || c.Sections != nil {
				t.Fatalf("case %s repeated, foreign or with content", c.ID)
			}
			seen[c.ID] = true
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	if len(seen) != 5 {
		t.Fatalf("listed %d cases, want 5", len(seen))
	}
}
