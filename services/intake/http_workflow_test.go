package intake_test

import (
	"context"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// Relations of the workflow table (beside author and otherOrg).
const (
	grantedOrg = "granted org" // an NGO holding an active referral grant
	authority  = "authority"   // the competent authority, after submission
)

type noAccessLog struct{}

func (noAccessLog) CaseEvents(context.Context, string) ([]intake.AccessRecord, error) {
	return nil, nil
}

// workflowFixture registers a fresh child's case (full consent) in the
// given relation to the caller and returns it.
func (w *realWorld) workflowFixture(t *testing.T, relation string) target {
	t.Helper()
	owner := intaketest.Officer(w.owner)
	r := intaketest.Registration("Person " + event.NewID())
	r.AgeGroup = "child"
	c, err := w.env.Service.Register(owner, r)
	if err != nil {
		t.Fatal(err)
	}
	tg := target{caseID: c.ID, caller: w.owner}
	switch relation {
	case grantedOrg:
		g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: w.grantee.ID,
			Sections: []string{intake.SectionNarrative}, Purpose: "referral"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.env.Service.ActivateGrant(intaketest.As(w.grantee, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		tg.caller = w.grantee
	case authority:
		if _, err := w.env.Service.Submit(owner, c.ID); err != nil {
			t.Fatal(err)
		}
		tg.caller = w.authority
	case otherOrg:
		tg.caller = w.other
	}
	return tg
}

// decidePositive takes the case, a child's, to a positive conclusive
// decision: a child's reflection period is never shortened, so clock moves
// past its end.
func (w *realWorld) decidePositive(t *testing.T, caseID string, clock *intaketest.Clock) {
	t.Helper()
	owner, dm := intaketest.Officer(w.owner), intaketest.As(w.authority, auth.RoleDecisionMaker)
	wf, err := w.env.Service.Workflow(owner, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	if wf.DecisionState == intake.DecisionIdentified {
		steps = append(steps, intake.DecisionSubmitted)
	}
	steps = append(steps, intake.DecisionRGPositive, intake.DecisionCGPositive)
	for _, to := range steps {
		ctx := dm
		if to == intake.DecisionSubmitted {
			ctx = owner
		}
		wf, err := w.env.Service.Transition(ctx, caseID, intake.TransitionRequest{To: to})
		if err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
		if to == intake.DecisionRGPositive {
			ends, err := time.Parse(time.DateOnly, wf.ReflectionEnds)
			if err != nil {
				t.Fatalf("reflection ends %q: %v", wf.ReflectionEnds, err)
			}
			clock.Advance(ends.Sub(clock.Now()) + 24*time.Hour)
		}
	}
}

// TestWorkflowAuthorizationTable is written by hand: every workflow and
// oversight endpoint × relation × role, over HTTP with real tokens.
func TestWorkflowAuthorizationTable(t *testing.T) {
	t.Parallel()
	clock := &intaketest.Clock{}
	w := newRealWorldOn(t, dbtest.SQLite(t), func(c *intake.Config) { c.Now, c.AccessLog = clock.Now, noAccessLog{} })
	auditor := intaketest.As(w.notifier, auth.RoleAuditor)
	one := func(tg target) string { return "/api/v1/cases/" + tg.caseID }
	type build func(t *testing.T, relation string, tg target) (method, path string, body any)
	reqs := map[string]build{
		"transition": func(_ *testing.T, rel string, tg target) (string, string, any) {
			to := intake.DecisionSubmitted
			if rel == authority {
				to = intake.DecisionInfoRequested
			}
			return "POST", one(tg) + "/transitions", map[string]string{"to": to}
		},
		"support": func(_ *testing.T, _ string, tg target) (string, string, any) {
			return "POST", one(tg) + "/support", map[string]string{"to": intake.SupportSuspended}
		},
		"workflow": func(_ *testing.T, _ string, tg target) (string, string, any) {
			return "GET", one(tg) + "/workflow", nil
		},
		"queue": func(*testing.T, string, target) (string, string, any) { return "GET", "/api/v1/decisions/queue", nil },
		"add entry": func(_ *testing.T, _ string, tg target) (string, string, any) {
			return "POST", one(tg) + "/entries", map[string]any{"type": "note", "content": map[string]string{"text": "n"}}
		},
		"entries": func(_ *testing.T, _ string, tg target) (string, string, any) { return "GET", one(tg) + "/entries", nil },
		"guardian": func(_ *testing.T, _ string, tg target) (string, string, any) {
			org := w.env.Org(intake.OrgKindSocialServices)
			return "POST", one(tg) + "/guardian", map[string]string{"user_id": w.env.Orgs.AddGuardian(org), "org_id": org.ID}
		},
		"break glass": func(_ *testing.T, _ string, tg target) (string, string, any) {
			return "POST", one(tg) + "/break-glass", map[string]string{"reason": "emergency"}
		},
		"break glass list": func(*testing.T, string, target) (string, string, any) { return "GET", "/api/v1/break-glass", nil },
		"break glass review": func(t *testing.T, _ string, tg target) (string, string, any) {
			b, err := w.env.Service.BreakGlass(intaketest.As(w.third, auth.RoleCoordinator), tg.caseID, intake.BreakGlassInput{Reason: "r"})
			if err != nil {
				t.Fatal(err)
			}
			return "POST", "/api/v1/break-glass/" + b.ID + "/review", map[string]string{"code": "justified"}
		},
		"disclose": func(_ *testing.T, _ string, tg target) (string, string, any) {
			return "POST", one(tg) + "/disclosures", map[string]any{"recipient_kind": "court", "legal_basis": "court_order", "sections": []string{"legal"}}
		},
		"disclosures": func(*testing.T, string, target) (string, string, any) { return "GET", "/api/v1/disclosures", nil },
		"legal hold": func(_ *testing.T, _ string, tg target) (string, string, any) {
			return "POST", one(tg) + "/legal-hold", map[string]string{"reason_code": "litigation"}
		},
		"release hold": func(t *testing.T, _ string, tg target) (string, string, any) {
			if _, err := w.env.Service.PlaceLegalHold(auditor, tg.caseID, intake.LegalHoldInput{ReasonCode: "litigation"}); err != nil {
				t.Fatal(err)
			}
			return "POST", one(tg) + "/legal-hold/release", map[string]string{"reason_code": "ended"}
		},
		"access report": func(_ *testing.T, _ string, tg target) (string, string, any) {
			return "GET", one(tg) + "/access-report?lang=fr", nil
		},
		"certificate": func(t *testing.T, _ string, tg target) (string, string, any) {
			w.decidePositive(t, tg.caseID, clock)
			return "GET", one(tg) + "/certificate", nil
		},
	}
	// Columns: frontline_officer, ngo_caseworker, coordinator,
	// decision_maker, guardian, commission_analyst, auditor, org_admin,
	// system_admin, anonymous.
	table := []struct {
		endpoint, relation string
		want               [10]int
	}{
		// The owner's officers submit; the authority's decision makers decide.
		{"transition", author, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"transition", grantedOrg, [10]int{403, 403, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"transition", authority, [10]int{403, 403, 403, 200, 403, 403, 403, 403, 403, 401}},
		{"transition", otherOrg, [10]int{404, 404, 403, 404, 403, 403, 403, 403, 403, 401}},

		{"support", author, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"support", grantedOrg, [10]int{403, 403, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"support", authority, [10]int{403, 403, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"support", otherOrg, [10]int{404, 404, 403, 404, 403, 403, 403, 403, 403, 401}},

		{"workflow", author, [10]int{200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"workflow", grantedOrg, [10]int{200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"workflow", authority, [10]int{200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"workflow", otherOrg, [10]int{404, 404, 404, 404, 404, 403, 403, 403, 403, 401}},

		{"queue", anyRelation, [10]int{403, 403, 403, 200, 403, 403, 403, 403, 403, 401}},

		{"add entry", author, [10]int{201, 201, 403, 201, 403, 403, 403, 403, 403, 401}},
		{"add entry", grantedOrg, [10]int{201, 201, 403, 201, 403, 403, 403, 403, 403, 401}},
		{"add entry", authority, [10]int{201, 201, 403, 201, 403, 403, 403, 403, 403, 401}},
		{"add entry", otherOrg, [10]int{404, 404, 403, 404, 403, 403, 403, 403, 403, 401}},

		{"entries", author, [10]int{200, 200, 403, 200, 200, 403, 403, 403, 403, 401}},
		{"entries", grantedOrg, [10]int{200, 200, 403, 200, 200, 403, 403, 403, 403, 401}},
		{"entries", authority, [10]int{200, 200, 403, 200, 200, 403, 403, 403, 403, 401}},
		{"entries", otherOrg, [10]int{404, 404, 403, 404, 404, 403, 403, 403, 403, 401}},

		{"guardian", author, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"guardian", grantedOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"guardian", authority, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"guardian", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		// Any coordinator or decision maker may break the glass, audited
		// and reviewed; the owner already reads its case.
		{"break glass", author, [10]int{403, 403, 409, 409, 403, 403, 403, 403, 403, 401}},
		// Only the national coordinator and the competent authority's
		// decision makers once the case is submitted have a relation that
		// allows an emergency access (issue 18).
		{"break glass", grantedOrg, [10]int{403, 403, 201, 404, 403, 403, 403, 403, 403, 401}},
		{"break glass", authority, [10]int{403, 403, 201, 201, 403, 403, 403, 403, 403, 401}},
		{"break glass", otherOrg, [10]int{403, 403, 201, 404, 403, 403, 403, 403, 403, 401}},
		{"break glass list", anyRelation, [10]int{403, 403, 403, 403, 403, 403, 200, 403, 403, 401}},
		{"break glass review", anyRelation, [10]int{403, 403, 403, 403, 403, 403, 200, 403, 403, 401}},

		{"disclose", author, [10]int{201, 201, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"disclose", grantedOrg, [10]int{403, 403, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"disclose", authority, [10]int{403, 403, 403, 201, 403, 403, 403, 403, 403, 401}},
		{"disclose", otherOrg, [10]int{404, 404, 403, 404, 403, 403, 403, 403, 403, 401}},
		{"disclosures", anyRelation, [10]int{403, 403, 403, 403, 403, 403, 200, 403, 403, 401}},

		// Auditors hold any case; decision makers the cases they decide.
		{"legal hold", author, [10]int{403, 403, 403, 404, 403, 403, 200, 403, 403, 401}},
		{"legal hold", grantedOrg, [10]int{403, 403, 403, 404, 403, 403, 200, 403, 403, 401}},
		{"legal hold", authority, [10]int{403, 403, 403, 200, 403, 403, 200, 403, 403, 401}},
		{"legal hold", otherOrg, [10]int{403, 403, 403, 404, 403, 403, 200, 403, 403, 401}},
		{"release hold", author, [10]int{403, 403, 403, 404, 403, 403, 200, 403, 403, 401}},
		{"release hold", grantedOrg, [10]int{403, 403, 403, 404, 403, 403, 200, 403, 403, 401}},
		{"release hold", authority, [10]int{403, 403, 403, 200, 403, 403, 200, 403, 403, 401}},
		{"release hold", otherOrg, [10]int{403, 403, 403, 404, 403, 403, 200, 403, 403, 401}},

		// The owner's officers hand the person their access report; another
		// organisation's officer learns nothing of the case (404).
		{"access report", author, [10]int{200, 403, 403, 403, 403, 403, 200, 403, 403, 401}},
		{"access report", otherOrg, [10]int{404, 403, 403, 403, 403, 403, 200, 403, 403, 401}},

		// The owner, the deciding authority and the guardian's organisation.
		{"certificate", author, [10]int{200, 200, 403, 200, 200, 403, 403, 403, 403, 401}},
		{"certificate", grantedOrg, [10]int{403, 403, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"certificate", authority, [10]int{200, 200, 403, 200, 200, 403, 403, 403, 403, 401}},
		{"certificate", otherOrg, [10]int{404, 404, 403, 404, 404, 403, 403, 403, 403, 401}},
	}
	covered := map[string]bool{}
	for _, row := range table {
		covered[row.endpoint] = true
		rq, ok := reqs[row.endpoint]
		if !ok {
			t.Fatalf("no request for %q", row.endpoint)
		}
		for i, caller := range callers {
			t.Run(row.endpoint+"/"+row.relation+"/"+caller, func(t *testing.T) {
				tg := w.workflowFixture(t, row.relation)
				var tok string
				if caller != "anonymous" {
					tok = w.token(t, tg.caller, caller)
				}
				method, path, body := rq(t, row.relation, tg)
				got := call(t, w.srv, tok, method, path, body)
				if got.status != row.want[i] {
					t.Fatalf("%s %s as %s (%s): status %d (%s), want %d", method, path, caller, row.relation, got.status, got.code, row.want[i])
				}
			})
		}
	}
	if len(covered) != len(reqs) {
		t.Fatalf("table covers %d endpoints of %d", len(covered), len(reqs))
	}
}
