package workflow

import (
	"errors"
	"slices"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// TestMoveRefused: what the rules table allows is still refused, and
// until when, by the child, reflection, reconsideration and second
// decision maker rules. Written out by hand, one row per rule and side.
func TestMoveRefused(t *testing.T) {
	t.Parallel()
	const today = "2026-03-10"
	adult := store.CaseRow{Case: casefile.Case{Route: casefile.RouteNRM}}
	child := store.CaseRow{Case: casefile.Case{Route: casefile.RouteNRM, TreatedAsChild: true}}
	dm := auth.Principal{UserID: "dm-1", OrgID: "ca"}
	rgPos := store.WorkflowRow{DecisionState: casefile.DecisionRGPositive, ReflectionEnds: "2026-04-01"}
	rgPosEnded := store.WorkflowRow{DecisionState: casefile.DecisionRGPositive, ReflectionEnds: "2026-03-01"}
	rgNeg := store.WorkflowRow{DecisionState: casefile.DecisionRGNegative, ReconsiderUntil: "2026-03-09"}
	rgNegOpen := store.WorkflowRow{DecisionState: casefile.DecisionRGNegative, ReconsiderUntil: "2026-03-10"}
	proposed := store.WorkflowRow{DecisionState: casefile.DecisionSubmitted, ProposalTo: casefile.DecisionRGNegative, ProposalBy: "dm-1"}
	for _, tc := range []struct {
		name  string
		c     store.CaseRow
		w     store.WorkflowRow
		p     auth.Principal
		to    string
		early bool
		err   error
		opens string
	}{
		{"an adult withdraws", adult, rgPos, dm, casefile.DecisionWithdrawn, false, nil, ""},
		{"a child is not withdrawn", child, rgPos, dm, casefile.DecisionWithdrawn, false, ErrChildNoWithdrawal, ""},
		{"conclusive during reflection", adult, rgPos, dm, casefile.DecisionCGPositive, false, ErrReflectionPeriod, "2026-04-01"},
		{"conclusive after reflection", adult, rgPosEnded, dm, casefile.DecisionCGNegative, false, nil, ""},
		{"an adult's early positive", adult, rgPos, dm, casefile.DecisionCGPositive, true, nil, ""},
		{"an early negative", adult, rgPos, dm, casefile.DecisionCGNegative, true, ErrEarlyNotAllowed, "2026-04-01"},
		{"a child's early positive", child, rgPos, dm, casefile.DecisionCGPositive, true, ErrEarlyNotAllowed, "2026-04-01"},
		{"reconsideration after its end", adult, rgNeg, dm, casefile.DecisionSubmitted, false, ErrReconsiderClosed, ""},
		{"reconsideration on its last day", adult, rgNegOpen, dm, casefile.DecisionSubmitted, false, nil, ""},
		{"the proposer confirms", adult, proposed, dm, casefile.DecisionRGNegative, false, ErrSecondDecisionMaker, ""},
		{"another decision maker confirms", adult, proposed, auth.Principal{UserID: "dm-2", OrgID: "ca"}, casefile.DecisionRGNegative, false, nil, ""},
		{"the proposer decides otherwise", adult, proposed, dm, casefile.DecisionRGPositive, false, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opens, err := moveRefused(tc.p, tc.c, tc.w, tc.to, today, tc.early)
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) || opens != tc.opens {
				t.Fatalf("moveRefused = %q, %v; want %q, %v", opens, err, tc.opens, tc.err)
			}
		})
	}
}

// TestCaseActors: the owner's officers and caseworkers act as the owner,
// decision makers only with their organisation's active decision grant.
func TestCaseActors(t *testing.T) {
	t.Parallel()
	c := store.CaseRow{Case: casefile.Case{OwnerOrg: "ngo"}}
	grant := func(org, purpose, status string) store.GrantRow {
		return store.GrantRow{Grant: casefile.Grant{OrgID: org, Purpose: purpose, Status: status}}
	}
	decision := []store.GrantRow{grant("ca", "decision", casefile.GrantActive)}
	for _, tc := range []struct {
		name   string
		p      auth.Principal
		grants []store.GrantRow
		want   []string
	}{
		{"owner's caseworker", auth.Principal{OrgID: "ngo", Roles: []string{auth.RoleNGOCaseworker}}, nil, []string{ActorOwner}},
		{"owner's officer", auth.Principal{OrgID: "ngo", Roles: []string{auth.RoleFrontlineOfficer}}, nil, []string{ActorOwner}},
		{"another organisation's caseworker", auth.Principal{OrgID: "shelter", Roles: []string{auth.RoleNGOCaseworker}}, decision, nil},
		{"decision maker with the grant", auth.Principal{OrgID: "ca", Roles: []string{auth.RoleDecisionMaker}}, decision, []string{ActorAuthority}},
		{"decision maker without it", auth.Principal{OrgID: "ca", Roles: []string{auth.RoleDecisionMaker}}, nil, nil},
		{"decision maker with a revoked one", auth.Principal{OrgID: "ca", Roles: []string{auth.RoleDecisionMaker}},
			[]store.GrantRow{grant("ca", "decision", casefile.GrantRevoked)}, nil},
		{"decision maker with another purpose", auth.Principal{OrgID: "ca", Roles: []string{auth.RoleDecisionMaker}},
			[]store.GrantRow{grant("ca", "support", casefile.GrantActive)}, nil},
		{"the decision grant's holder without the role", auth.Principal{OrgID: "ca", Roles: []string{auth.RoleNGOCaseworker}}, decision, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := caseActors(tc.p, c, tc.grants); !slices.Equal(got, tc.want) {
				t.Fatalf("caseActors = %v, want %v", got, tc.want)
			}
		})
	}
}
