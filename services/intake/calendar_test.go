package intake

import (
	"os"
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
