package stats

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// StalePeriods returns the closed months, quarters and years (closed
// before now's month) whose records changed since their latest snapshot
// release, or that have records and were never released: the periods a
// scheduler should try to publish again. The change sets name the months
// every receiver batch changed, and each stored answer the data version
// it was computed at, so a late record of any closed period is seen, not
// only of the latest one.
//
// The order is fixed (the latest-ending first; a month before its
// quarter, a quarter before its year) and the list starts after the
// period after, wrapping round, at most limit long: a scheduler that
// passes the last period it tried reaches every stale period in turn,
// even when some are refused by release control at every pass.
func (s *Stats) StalePeriods(ctx context.Context, now time.Time, after string, limit int) ([]string, error) {
	current := now.UTC().Format("2006-01")
	changed, err := changedMonths(ctx, s.db, current) // month → latest version that changed it
	if err != nil {
		return nil, err
	}
	// A snapshot's answers carry the data version it was taken at (those
	// carried forward an earlier one); differential-privacy answers
	// (epsilon > 0) are no snapshot.
	released, err := snapshotVersions(ctx, s.db)
	if err != nil {
		return nil, err
	}
	latest := map[string]int64{} // closed period → latest change of its months
	for m, v := range changed {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			continue
		}
		q := fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
		for _, p := range []string{m, q, fmt.Sprint(t.Year())} {
			if last := monthsOf(p); last[len(last)-1] < current {
				latest[p] = max(latest[p], v)
			}
		}
	}
	var stale []string
	for p, v := range latest {
		if v > released[p] {
			stale = append(stale, p)
		}
	}
	slices.SortFunc(stale, periodOrder)
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(stale, after, periodOrder)
		if start < len(stale) && stale[start] == after {
			start++
		}
	}
	out := make([]string, 0, min(limit, len(stale)))
	for i := range min(limit, len(stale)) {
		out = append(out, stale[(start+i)%len(stale)])
	}
	return out, nil
}

// periodOrder orders periods by their last month, the latest first, and
// of the same last month, a month before its quarter before its year.
func periodOrder(a, b string) int {
	ma, mb := monthsOf(a), monthsOf(b)
	return cmp.Or(cmp.Compare(mb[len(mb)-1], ma[len(ma)-1]), cmp.Compare(len(ma), len(mb)), cmp.Compare(a, b))
}
