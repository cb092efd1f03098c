package frontline

import (
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral/notices"
	"github.com/nrm-project/nrm/services/web/page"
)

const (
	childA = "0b5f6a3e-1111-4a4a-8a8a-000000000001"
	childB = "0b5f6a3e-1111-4a4a-8a8a-000000000002"
)

// TestGuardedCases: the guardian's children are the cases of their
// appointment notices, less those a later replacement ended; notices of
// other kinds, objects or malformed ids are no children.
func TestGuardedCases(t *testing.T) {
	n := func(kind, typ, id string) notices.Item {
		return notices.Item{Kind: kind, ObjectType: typ, ObjectID: id}
	}
	// Newest first, as the inbox lists them.
	got := guardedCases([]notices.Item{
		n(notice.KindGuardianReplaced, "case", childB),
		n(notice.KindCaseChanged, "case", childA),
		n(notice.KindGuardianAppointed, "case", childA),
		n(notice.KindGuardianAppointed, "case", childB),
		n(notice.KindGuardianAppointed, "referral", "0b5f6a3e-1111-4a4a-8a8a-000000000003"),
		n(notice.KindGuardianAppointed, "case", "../../admin"),
	})
	if !slices.Equal(got, []string{childA}) {
		t.Fatalf("children %v, want only %s", got, childA)
	}
	// Appointed again after a replacement: the child is back.
	got = guardedCases([]notices.Item{n(notice.KindGuardianAppointed, "case", childB), n(notice.KindGuardianReplaced, "case", childB)})
	if !slices.Equal(got, []string{childB}) {
		t.Fatalf("re-appointed: %v", got)
	}
}

// TestChildSteps: what the guardian is shown at each stage, and that every
// step and note has words in the three languages.
func TestChildSteps(t *testing.T) {
	sub := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		w    intake.Workflow
		want map[string]string // step key -> state
	}{
		{"just appointed", intake.Workflow{NeedsChildProtectionReferral: true, DecisionState: intake.DecisionIdentified},
			map[string]string{"guardian.step.protection": "now", "guardian.step.bia": "now", "guardian.step.submitted": "later", "guardian.step.rg": "later", "guardian.step.cg": "later"}},
		{"assessed, submitted, second opinion", intake.Workflow{BestInterests: "recorded", SubmittedAt: &sub, RGDue: "2026-11-09", Overdue: true,
			AwaitingSecondDecisionMaker: true, DecisionState: intake.DecisionSubmitted},
			map[string]string{"guardian.step.protection": "done", "guardian.step.bia": "now", "guardian.step.submitted": "done", "guardian.step.rg": "now", "guardian.step.cg": "later"}},
		{"reasonable grounds", intake.Workflow{BestInterests: "approved", SubmittedAt: &sub, RGDue: "2026-11-09", ReflectionEnds: "2026-12-30",
			DecisionState: intake.DecisionRGPositive, History: []intake.DecisionRecord{{Track: "decision", To: intake.DecisionSubmitted}, {Track: "decision", To: intake.DecisionRGPositive}}},
			map[string]string{"guardian.step.bia": "done", "guardian.step.rg": "done", "guardian.step.reflection": "now", "guardian.step.cg": "now"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			steps := childSteps(c.w, "2026-11-20")
			got := map[string]string{}
			for _, s := range steps {
				got[s.Key] = s.State
				for _, k := range []string{s.Key, s.Note, "guardian.state." + s.State} {
					if m, ok := page.Catalogue()[k]; k != "" && (!ok || m[0] == "" || m[1] == "" || m[2] == "") {
						t.Errorf("%s: not in the three languages", k)
					}
				}
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q (steps %+v)", k, got[k], v, steps)
				}
			}
		})
	}
}
