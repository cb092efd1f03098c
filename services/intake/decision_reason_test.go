package intake_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestNegativeDecisionNeedsAReason: the decision maker proposing a negative
// decision states why (400 naming reason otherwise, nothing written), and
// the letter of the confirmed decision states it.
func TestNegativeDecisionNeedsAReason(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, authority := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority)
		officer := intaketest.Officer(police)
		dm1, dm2 := intaketest.As(authority, auth.RoleDecisionMaker), intaketest.As(authority, auth.RoleDecisionMaker)
		c := env.Register(t, police, intaketest.Registration("Reason Person"))
		if _, err := env.Service.Transition(officer, c.ID, intake.TransitionRequest{To: intake.DecisionSubmitted}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ name, reason, code string }{
			{"no reason", "", ""},
			{"a code without a reason", "", "insufficient_indicators"},
			{"blank reason", " \n\t ", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := env.Service.Transition(dm1, c.ID, intake.TransitionRequest{To: intake.DecisionRGNegative, Reason: tt.reason, ReasonCode: tt.code})
				ke := kit.AsError(err)
				if err == nil || ke.Status != http.StatusBadRequest || len(ke.Fields) != 1 || ke.Fields[0].Path != "reason" {
					t.Fatalf("error %v (%+v), want 400 naming reason", err, ke)
				}
				w, err := env.Service.Workflow(dm1, c.ID)
				if err != nil || w.PendingProposal != "" {
					t.Fatalf("workflow %+v, %v: a proposal without reasons was recorded", w, err)
				}
			})
		}
		if _, err := env.Service.Transition(dm1, c.ID, intake.TransitionRequest{To: intake.DecisionRGNegative,
			Reason: "No indicator of exploitation in the account", ReasonCode: "insufficient_indicators"}); err != nil {
			t.Fatal(err)
		}
		// The confirming decision maker may add reasons of their own, or none.
		if _, err := env.Service.Transition(dm2, c.ID, intake.TransitionRequest{To: intake.DecisionRGNegative}); err != nil {
			t.Fatal(err)
		}
		entries, err := env.Service.Entries(officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var text string
		for _, en := range entries {
			var l struct{ Decision, Text string }
			if en.Type == "decision_letter" && json.Unmarshal(en.Content, &l) == nil && l.Decision == intake.DecisionRGNegative {
				text = l.Text
			}
		}
		if !strings.Contains(text, "Reasons: No indicator of exploitation in the account") {
			t.Fatalf("the letter does not state the reasons:\n%s", text)
		}
	})
}
