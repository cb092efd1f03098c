package stats

import (
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// StalePeriods names every closed period with changes since its latest
// snapshot (never an open one, never one released since), in a fixed
// order, and hands them out limit at a time, taking up after the last.
func TestStalePeriods(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		for _, m := range []string{"2025-12", "2026-08", "2026-10", "2026-11"} {
			f.addCases(t, "a"+m, m, 12)
		}
		now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		stale := func(after string, limit int) []string {
			t.Helper()
			got, err := f.s.StalePeriods(f.ctx, now, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		all := []string{"2026-10", "2026-Q3", "2026-08", "2025-12", "2025-Q4", "2025"}
		if got := stale("", 100); !slices.Equal(got, all) {
			t.Fatalf("stale periods %v, want %v (2026-11, Q4 and 2026 are open)", got, all)
		}
		if got := stale("", 2); !slices.Equal(got, all[:2]) {
			t.Errorf("the first two: %v", got)
		}
		if got := stale("2026-08", 4); !slices.Equal(got, []string{"2025-12", "2025-Q4", "2025", "2026-10"}) {
			t.Errorf("after 2026-08, wrapping: %v", got)
		}
		if _, err := f.release("aug", "2026-08"); err != nil {
			t.Fatal(err)
		}
		// A differential-privacy answer is no snapshot of the month.
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "dp", Epsilon: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReleaseTable(f.ctx, "dp", TableCasesByAgeLocation, "2026-10", 0); err != nil {
			t.Fatal(err)
		}
		if got := stale("", 100); slices.Contains(got, "2026-08") || !slices.Contains(got, "2026-10") {
			t.Errorf("after releasing August: %v", got)
		}
		f.addCases(t, "late", "2026-08", 1)
		if got := stale("", 100); !slices.Contains(got, "2026-08") {
			t.Errorf("a late record of August: %v", got)
		}
	})
}
