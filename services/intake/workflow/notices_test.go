package workflow

import "testing"

func TestDueThreshold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, due, today, want string
	}{
		{"on the day", "2026-03-10", "2026-03-10", "d0"},
		{"one day before", "2026-03-10", "2026-03-09", "d2"},
		{"DueSoonDays before", "2026-03-10", "2026-03-08", "d2"},
		{"further off", "2026-03-10", "2026-03-07", ""},
		{"past", "2026-03-10", "2026-03-11", ""},
		{"no date", "", "2026-03-10", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dueThreshold(tc.due, tc.today); got != tc.want {
				t.Fatalf("dueThreshold(%q, %q) = %q, want %q", tc.due, tc.today, got, tc.want)
			}
		})
	}
}
