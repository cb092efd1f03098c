package workflow

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// TestDecisionRulesProperty: random sequences of attempts by random
// actors only ever follow a listed rule, and never leave the known
// states; withdrawn and the conclusive decisions end the track except by
// reconsideration of a negative one.
func TestDecisionRulesProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	actors := [][]string{{ActorOwner}, {ActorAuthority}, {ActorOwner, ActorAuthority}, nil}
	for range 2000 {
		state := casefile.DecisionIdentified
		for range 30 {
			to := DecisionStates[r.IntN(len(DecisionStates))]
			who := actors[r.IntN(len(actors))]
			if !slices.Contains(AllowedDecisions(state, who...), to) {
				continue
			}
			ok := false
			for _, rule := range decisionRules {
				ok = ok || rule.from == state && rule.to == to && slices.Contains(who, rule.actor)
			}
			if !ok || !slices.Contains(DecisionStates, to) {
				t.Fatalf("%s → %s by %v allowed without a rule", state, to, who)
			}
			if state == casefile.DecisionWithdrawn || state == casefile.DecisionCGPositive {
				t.Fatalf("left the final state %s", state)
			}
			if to == casefile.DecisionCGPositive || to == casefile.DecisionCGNegative {
				if state != casefile.DecisionRGPositive {
					t.Fatalf("conclusive decision from %s", state)
				}
			}
			state = to
		}
	}
	if len(AllowedDecisions(casefile.DecisionWithdrawn, ActorOwner, ActorAuthority)) != 0 {
		t.Fatal("withdrawn is not final")
	}
}

func TestSupportRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to string
		want     bool
	}{
		{casefile.SupportOpen, casefile.SupportSuspended, true}, {casefile.SupportSuspended, casefile.SupportOpen, true}, {casefile.SupportOpen, casefile.SupportClosed, true},
		{casefile.SupportSuspended, casefile.SupportClosed, true}, {casefile.SupportClosed, casefile.SupportReopened, true}, {casefile.SupportReopened, casefile.SupportClosed, true},
		{casefile.SupportReopened, casefile.SupportSuspended, true}, {casefile.SupportClosed, casefile.SupportOpen, false}, {casefile.SupportOpen, casefile.SupportReopened, false},
		{casefile.SupportClosed, casefile.SupportSuspended, false}, {casefile.SupportOpen, casefile.SupportOpen, false},
	}
	for _, tc := range tests {
		if got := supportAllowed(tc.from, tc.to); got != tc.want {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}
