package intake

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestShippedPolicyParses(t *testing.T) {
	t.Parallel()
	shipped, err := os.ReadFile("../../policies/workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseWorkflowPolicy(shipped); err != nil {
		t.Fatal(err)
	}
	if got := DefaultWorkflowPolicy(); got.ReflectionDays < 30 {
		t.Fatalf("default policy %+v", got)
	}
}

func TestWorkingDays(t *testing.T) {
	t.Parallel()
	p := DefaultWorkflowPolicy()
	tests := []struct {
		name, from string
		n          int
		want       string
	}{
		{"plain week", "2026-03-02", 5, "2026-03-09"},                   // Monday → next Monday
		{"over a weekend", "2026-03-05", 1, "2026-03-06"},               // Thursday → Friday
		{"friday skips the weekend", "2026-03-06", 1, "2026-03-09"},     // Friday → Monday
		{"labour day", "2026-04-29", 3, "2026-05-05"},                   // Wed: Thu 30, (Fri 1 May holiday), Mon 4, Tue 5
		{"green march and independence", "2026-11-05", 5, "2026-11-13"}, // Fri 6 Nov holiday
		{"submitted on a saturday", "2026-03-07", 1, "2026-03-09"},
		{"new year 2027", "2026-12-31", 1, "2027-01-04"}, // Fri 1 Jan holiday, weekend
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := p.AddWorkingDays(date(tc.from), tc.n).Format(time.DateOnly)
			if got != tc.want {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
			}
			if back := p.WorkingDaysBetween(date(tc.from), date(tc.want)); back != tc.n {
				t.Fatalf("WorkingDaysBetween = %d, want %d", back, tc.n)
			}
		})
	}
}

func TestPolicyRefusesShortReflection(t *testing.T) {
	t.Parallel()
	if _, err := ParseWorkflowPolicy([]byte(`{"rg_target_working_days":5,"reflection_days":10,"reconsideration_days":30,"break_glass_hours":4}`)); err == nil {
		t.Fatal("a reflection period under 30 days was accepted")
	}
}

// TestDecisionRulesProperty: random sequences of attempts by random
// actors only ever follow a listed rule, and never leave the known
// states; withdrawn and the conclusive decisions end the track except by
// reconsideration of a negative one.
func TestDecisionRulesProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	actors := [][]string{{actorOwner}, {actorAuthority}, {actorOwner, actorAuthority}, nil}
	for range 2000 {
		state := DecisionIdentified
		for range 30 {
			to := DecisionStates[r.IntN(len(DecisionStates))]
			who := actors[r.IntN(len(actors))]
			if !slices.Contains(allowedDecisions(state, who...), to) {
				continue
			}
			ok := false
			for _, rule := range decisionRules {
				ok = ok || rule.from == state && rule.to == to && slices.Contains(who, rule.actor)
			}
			if !ok || !slices.Contains(DecisionStates, to) {
				t.Fatalf("%s → %s by %v allowed without a rule", state, to, who)
			}
			if state == DecisionWithdrawn || state == DecisionCGPositive {
				t.Fatalf("left the final state %s", state)
			}
			if to == DecisionCGPositive || to == DecisionCGNegative {
				if state != DecisionRGPositive {
					t.Fatalf("conclusive decision from %s", state)
				}
			}
			state = to
		}
	}
	if len(allowedDecisions(DecisionWithdrawn, actorOwner, actorAuthority)) != 0 {
		t.Fatal("withdrawn is not final")
	}
}

func TestSupportRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to string
		want     bool
	}{
		{SupportOpen, SupportSuspended, true}, {SupportSuspended, SupportOpen, true}, {SupportOpen, SupportClosed, true},
		{SupportSuspended, SupportClosed, true}, {SupportClosed, SupportReopened, true}, {SupportReopened, SupportClosed, true},
		{SupportReopened, SupportSuspended, true}, {SupportClosed, SupportOpen, false}, {SupportOpen, SupportReopened, false},
		{SupportClosed, SupportSuspended, false}, {SupportOpen, SupportOpen, false},
	}
	for _, tc := range tests {
		if got := supportAllowed(tc.from, tc.to); got != tc.want {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}
