package stats

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

func statuses(r Release) map[string]string {
	out := map[string]string{}
	for _, t := range r.Tables {
		out[t.Table] = t.Status
	}
	return out
}

func sameFigures(t *testing.T, what string, a, b Table) {
	t.Helper()
	if len(a.Cells) != len(b.Cells) {
		t.Fatalf("%s: %d cells then %d", what, len(a.Cells), len(b.Cells))
	}
	for i := range a.Cells {
		if value(a.Cells[i]) != value(b.Cells[i]) {
			t.Fatalf("%s: cell %s %v %s then %s", what, a.Cells[i].Unit, a.Cells[i].Dims, value(a.Cells[i]), value(b.Cells[i]))
		}
	}
}

func TestReleaseControl(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()               // each engine has its own database
		f := newFixture(t, e, nil) // K = 10
		addCases := func(prefix string, n int) {
			f.sendN(t, n, func(i int) facts.Event {
				return registered(fmt.Sprintf("%s-%d", prefix, i), "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual")
			})
		}
		addCases("a", 20)
		first, err := f.release("nov-1", "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		for name, st := range statuses(first) {
			if st != StatusNew {
				t.Errorf("first release: %s is %s, want new", name, st)
			}
		}
		published := f.table(t, TableRegionResponder, "2026-11")
		if published.Release != "nov-1" {
			t.Fatalf("table served from %q, want nov-1", published.Release)
		}

		addCases("b", 1)
		if _, err := f.release("nov-2", "2026-11"); !errors.Is(err, ErrReleaseTooSmall) {
			t.Fatalf("release after one new case: %v, want %v", err, ErrReleaseTooSmall)
		}
		sameFigures(t, "after a refused release", published, f.table(t, TableRegionResponder, "2026-11"))

		// The quarter holds the month: publishing it now would compare
		// with the month's release across the one new case.
		q4, err := f.release("q4-1", "2026-Q4")
		if err != nil {
			t.Fatal(err)
		}
		if st := statuses(q4); st[TableRegionResponder] != StatusWithheld || st[TableDecisionsOutcomeAge] != StatusNew {
			t.Fatalf("first quarter release: %v", st)
		}
		if _, err := f.s.Table(f.ctx, TableRegionResponder, "2026-Q4"); !errors.Is(err, ErrWithheld) {
			t.Fatalf("withheld table: %v", err)
		}

		addCases("c", 9)
		third, err := f.release("nov-3", "2026-11")
		if err != nil {
			t.Fatalf("release after ten new cases: %v", err)
		}
		if st := statuses(third); st[TableRegionResponder] != StatusNew || st[TableDecisionsOutcomeAge] != StatusCarriedForward {
			t.Fatalf("third release: %v", st)
		}
		carried, err := f.s.ReleaseTable(f.ctx, "nov-3", TableDecisionsOutcomeAge, "", 0)
		if err != nil || carried.CarriedFrom != "nov-1" {
			t.Fatalf("carried table: from %q, %v", carried.CarriedFrom, err)
		}
		if got := f.table(t, TableRegionResponder, "2026-11"); got.Release != "nov-3" {
			t.Fatalf("table served from %q, want the latest release nov-3", got.Release)
		}

		// One decision: the decisions table may not move, the case tables
		// did not: nothing to publish.
		f.send(t, decided("a-0", "2026-11", "rg_positive", 3, true))
		if _, err := f.release("nov-4", "2026-11"); !errors.Is(err, ErrReleaseTooSmall) {
			t.Fatalf("release after one decision: %v", err)
		}
		// Differential-privacy answers are published figures too.
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "dp", Epsilon: 5}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReleaseTable(f.ctx, "dp", TableDecisionsOutcomeAge, "2026-11", 0); !errors.Is(err, ErrReleaseTooSmall) {
			t.Fatalf("DP table one decision away from a published one: %v", err)
		}
		if _, err := f.s.ReleaseTable(f.ctx, "dp", TableRegionResponder, "2026-11", 0); err != nil {
			t.Fatalf("DP table with no change since its release: %v", err)
		}

		// A release is served unchanged forever.
		again, err := f.s.ReleaseTable(f.ctx, "nov-1", TableRegionResponder, "2026-11", 0)
		if err != nil {
			t.Fatal(err)
		}
		sameFigures(t, "nov-1 read again", published, again)
		if _, err := f.s.ReleaseTable(f.ctx, "nov-1", TableRegionResponder, "2026-Q4", 0); !errors.Is(err, ErrPeriodNotInRelease) {
			t.Fatalf("another period of a snapshot release: %v", err)
		}
		if _, err := f.release("nov-1", "2026-11"); !errors.Is(err, ErrReleaseExists) {
			t.Fatalf("release name reused: %v", err)
		}
		if _, err := f.release("auto-2026-12", "2026-12"); !errors.Is(err, ErrBadRelease) {
			t.Fatalf("reserved name: %v", err)
		}
		if n := f.auditCount(t, "stats.release.create", "denied", "analyst-1"); n != 2 {
			t.Errorf("%d refused releases audited, want 2", n)
		}
	})
}

func TestPeriodOverlap(t *testing.T) {
	t.Parallel()
	if got := overlapping("2026-Q4"); len(got) != 5 {
		t.Errorf("overlapping(2026-Q4) = %v, want 3 months, the quarter and the year", got)
	}
	if got := overlapping("2026"); len(got) != 17 {
		t.Errorf("overlapping(2026) has %d periods, want 17", len(got))
	}
	if got := commonMonths("2026", "2026-Q2"); len(got) != 3 || got[0] != "2026-04" {
		t.Errorf("commonMonths(2026, 2026-Q2) = %v", got)
	}
	if got := commonMonths("2026-11", "2026-Q3"); len(got) != 0 {
		t.Errorf("commonMonths(2026-11, 2026-Q3) = %v", got)
	}
}
