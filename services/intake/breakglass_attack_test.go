package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// bgCase registers a case at the world's owner and, when submitted, submits
// it to the competent authority.
func (w *realWorld) bgCase(t *testing.T, submitted bool) string {
	t.Helper()
	c := w.env.Register(t, w.owner, intaketest.Registration("Glass "+event.NewID()))
	if submitted {
		if _, err := w.env.Service.Submit(intaketest.Officer(w.owner), c.ID); err != nil {
			t.Fatal(err)
		}
	}
	return c.ID
}

// deniedTo reports whether the outbox holds a denied audit event of action
// on the case by user.
func deniedTo(t *testing.T, env *intaketest.Env, action, caseID, user string) bool {
	t.Helper()
	for _, e := range auditEvents(t, env) {
		if e.Action == action && e.ObjectID == caseID && e.ActorUser == user && e.Outcome == event.Denied {
			return true
		}
	}
	return false
}

// TestBreakGlassOpenersNeedARelation replays the attack of issue 18: a
// decision maker or coordinator of any organisation opened any case. Only
// the national coordinator and a competent authority's decision maker once
// the case is submitted may; everyone else gets 404 and an audited denial.
func TestBreakGlassOpenersNeedARelation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		desk := w.env.Org(intake.OrgKindCompetentAuthority)
		tests := []struct {
			name      string
			org       intake.OrgInfo
			role      string
			submitted bool
			want      int
		}{
			{"authority decision maker, case not submitted", w.authority, auth.RoleDecisionMaker, false, 404},
			{"decision maker of an ngo, case submitted", w.other, auth.RoleDecisionMaker, true, 404},
			{"decision maker of the police, case submitted", w.notifier, auth.RoleDecisionMaker, true, 404},
			{"authority decision maker, case submitted", w.authority, auth.RoleDecisionMaker, true, 201},
			{"national coordinator, case registered", desk, auth.RoleCoordinator, false, 201},
			{"owner's own coordinator", w.owner, auth.RoleCoordinator, false, 409},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				caseID, user := w.bgCase(t, tc.submitted), event.NewID()
				got := call(t, w.srv, w.userToken(t, user, tc.org, tc.role), "POST", "/api/v1/cases/"+caseID+"/break-glass",
					intake.BreakGlassInput{Reason: "urgent"})
				if got.status != tc.want {
					t.Fatalf("status %d (%s), want %d", got.status, got.code, tc.want)
				}
				if tc.want == 404 && !deniedTo(t, w.env, "intake.break_glass.open", caseID, user) {
					t.Fatal("the refusal was not audited as a denial")
				}
			})
		}
	})
}

// TestBreakGlassIsTheOpenersAlone: the access goes to the opening user,
// not to the organisation; while it lasts the opener cannot disclose or
// refer; the owner organisation is alerted; the review is another
// organisation's.
func TestBreakGlassIsTheOpenersAlone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		oversight, commission := w.env.Org("oversight"), w.env.Org("commission")
		caseID := w.bgCase(t, true)
		note(t, w.env, intaketest.Officer(w.owner), caseID, "owner note")
		opener := event.NewID()
		openerTok := w.userToken(t, opener, w.authority, auth.RoleDecisionMaker)
		got := call(t, w.srv, openerTok, "POST", "/api/v1/cases/"+caseID+"/break-glass", intake.BreakGlassInput{Reason: "urgent"})
		if got.status != 201 {
			t.Fatalf("open: %d (%s)", got.status, got.code)
		}
		bgID, _ := got.decoded["id"].(string)

		t.Run("opener reads every section", func(t *testing.T) {
			got := call(t, w.srv, openerTok, "GET", "/api/v1/cases/"+caseID, nil)
			secs, _ := got.decoded["sections"].(map[string]any)
			if got.status != 200 || len(secs) != 4 {
				t.Fatalf("opener: %d, %d sections; want 200 and 4", got.status, len(secs))
			}
		})
		t.Run("a colleague of the opener sees no more than before", func(t *testing.T) {
			colleague := event.NewID()
			tok := w.userToken(t, colleague, w.authority, auth.RoleDecisionMaker)
			got := call(t, w.srv, tok, "GET", "/api/v1/cases/"+caseID, nil)
			secs, _ := got.decoded["sections"].(map[string]any)
			// The authority's decision grant, not the opener's access.
			if got.status != 200 || len(secs) != 3 {
				t.Fatalf("colleague: %d, %d sections; want 200 and the 3 a decision needs", got.status, len(secs))
			}
			if _, ok := secs[intake.SectionHealth]; ok {
				t.Fatalf("a colleague reads the health section through the opener's access")
			}
		})
		t.Run("a coordinator colleague gets 404, audited", func(t *testing.T) {
			desk := w.env.Org(intake.OrgKindCompetentAuthority)
			u1, u2 := event.NewID(), event.NewID()
			if got := call(t, w.srv, w.userToken(t, u1, desk, auth.RoleCoordinator), "POST", "/api/v1/cases/"+caseID+"/break-glass",
				intake.BreakGlassInput{Reason: "urgent"}); got.status != 201 {
				t.Fatalf("open: %d", got.status)
			}
			got := call(t, w.srv, w.userToken(t, u2, desk, auth.RoleCoordinator), "GET", "/api/v1/cases/"+caseID, nil)
			if got.status != 404 {
				t.Fatalf("colleague read: %d, want 404", got.status)
			}
			if !deniedTo(t, w.env, "intake.case.read", caseID, u2) {
				t.Fatal("the colleague's read was not audited as a denial")
			}
		})
		t.Run("the opener cannot disclose", func(t *testing.T) {
			got := call(t, w.srv, openerTok, "POST", "/api/v1/cases/"+caseID+"/disclosures",
				intake.DisclosureInput{RecipientKind: "court", LegalBasis: "court_order", Sections: []string{"identity"}})
			if got.status != 403 || got.code != "break_glass_active" {
				t.Fatalf("disclosure during break-glass: %d (%s), want 403 break_glass_active", got.status, got.code)
			}
			if !deniedTo(t, w.env, "intake.disclosure", caseID, opener) {
				t.Fatal("the refused disclosure was not audited")
			}
		})
		t.Run("the owner is alerted", func(t *testing.T) {
			if n := count(t, w.env, `SELECT COUNT(*) FROM alerts WHERE case_id = $1 AND org_id = $2 AND kind = 'break_glass'`, caseID, w.owner.ID); n == 0 {
				t.Fatal("no break-glass alert for the owner")
			}
			if _, ok := lastAudit(t, w.env, "intake.break_glass.notify_owner", caseID); !ok {
				t.Fatal("no audit event telling the owner")
			}
		})
		t.Run("review by the opener's own organisation is refused", func(t *testing.T) {
			u := event.NewID()
			got := call(t, w.srv, w.userToken(t, u, w.authority, auth.RoleAuditor), "POST", "/api/v1/break-glass/"+bgID+"/review",
				intake.ReviewInput{Code: "justified"})
			if got.status != 403 {
				t.Fatalf("same-organisation review: %d, want 403", got.status)
			}
			found := false
			for _, ev := range auditEvents(t, w.env) {
				found = found || ev.Action == "intake.break_glass.review" && ev.ActorUser == u && ev.Outcome == event.Denied
			}
			if !found {
				t.Fatal("the refused review was not audited")
			}
		})
		t.Run("review by another organisation", func(t *testing.T) {
			for _, org := range []intake.OrgInfo{oversight, commission}[:1] {
				got := call(t, w.srv, w.token(t, org, auth.RoleAuditor), "POST", "/api/v1/break-glass/"+bgID+"/review",
					intake.ReviewInput{Code: "justified"})
				if got.status != 200 {
					t.Fatalf("review: %d (%s), want 200", got.status, got.code)
				}
			}
		})
	})
}
