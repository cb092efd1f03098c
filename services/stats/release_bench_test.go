package stats

import (
	"fmt"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// BenchmarkReleaseControl is the release-control check of one table and
// period (tooFewChanges) against a store holding n earlier snapshot
// answers of that table and month, each a data version apart, with one
// case changed since the last: the check runs before every table of
// every release, so its cost must not grow with the releases made.
func BenchmarkReleaseControl(b *testing.B) {
	engines := []struct {
		name string
		open func(testing.TB) dbtest.Engine
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			for _, n := range []int{100, 300, 1000} {
				b.Run(fmt.Sprintf("answers=%d", n), func(b *testing.B) {
					f := newFixture(b, e.open(b), nil) // K = 10
					storeAnswers(b, f, TableRegionResponder, "2026-11", n)
					for b.Loop() {
						blocker, err := f.s.tooFewChanges(f.ctx, f.db, TableRegionResponder, "2026-11")
						if err != nil || blocker != "2026-11" {
							b.Fatalf("blocker %q, %v", blocker, err)
						}
					}
				})
			}
		})
	}
}

// storeAnswers writes n snapshot releases of period (a month) answering
// table, the i-th at data version i after a change of one case in the
// month, then one more change: what n releases over a busy store leave
// behind, without computing any table.
func storeAnswers(b *testing.B, f *fixture, table, period string, n int) {
	b.Helper()
	answers, changes := make([]storedRow, n), make([]changeRow, n+1)
	for i := range n + 1 {
		v := int64(i + 1)
		changes[i] = changeRow{month: period, version: v, subjects: []string{fmt.Sprint("case-", v)}}
		if i < n {
			answers[i] = storedRow{period: period, version: v}
		}
	}
	storeRows(b, f, table, answers, changes)
}
