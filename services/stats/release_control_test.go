package stats

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// storedRow and changeRow are rows of release_tables and change_sets a
// test writes directly.
type (
	storedRow struct {
		period  string
		version int64
	}
	changeRow struct {
		month    string
		version  int64
		subjects []string
	}
)

// storeRows writes answers of table (each in a snapshot release of its
// own, named after the table) and change sets of table.
func storeRows(tb testing.TB, f *fixture, table string, answers []storedRow, changes []changeRow) {
	tb.Helper()
	err := f.db.Tx(f.ctx, func(tx *sql.Tx) error {
		for i, c := range changes {
			if _, err := tx.ExecContext(f.ctx, `INSERT INTO change_sets (tbl, month, version, subjects) VALUES ($1, $2, $3, $4)`,
				table, c.month, c.version, strings.Join(c.subjects, ",")); err != nil {
				return fmt.Errorf("change set %d: %w", i, err)
			}
		}
		for i, a := range answers {
			name := fmt.Sprintf("%s-r-%d", table, i+1)
			if _, err := tx.ExecContext(f.ctx, `INSERT INTO releases (name, epsilon, spent, created_by, created_at, method, period, seq)
				VALUES ($1, 0, 0, 'analyst-1', $2, $3, $4, $5)`, name, f.clock, MethodCellKey, a.period, i+1); err != nil {
				return fmt.Errorf("release %d: %w", i, err)
			}
			if _, err := tx.ExecContext(f.ctx, `INSERT INTO release_tables (release, tbl, period, epsilon, answer, created_at, version)
				VALUES ($1, $2, $3, 0, '{}', $4, $5)`, name, table, a.period, f.clock, a.version); err != nil {
				return fmt.Errorf("answer %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// blockingPeriods is release control by its definition: the overlapping
// periods with some stored answer that 1 to k-1 cases changed since, in
// the months the two periods share.
func blockingPeriods(period string, answers []storedRow, changes []changeRow, k int) []string {
	var out []string
	for _, a := range answers {
		months := commonMonths(period, a.period)
		if len(months) == 0 {
			continue
		}
		seen := map[string]bool{}
		for _, c := range changes {
			if c.version > a.version && slices.Contains(months, c.month) {
				for _, s := range c.subjects {
					seen[s] = true
				}
			}
		}
		if n := len(seen); n > 0 && n < k && !slices.Contains(out, a.period) {
			out = append(out, a.period)
		}
	}
	return out
}

// TestReleaseControlAgainstEveryAnswer: release control reads one stored
// answer per overlapping period, and blocks exactly when some stored answer
// of an overlapping period is 1 to K-1 changed cases away, on random
// stores of answers at many data versions and change sets over the months
// of a year.
func TestReleaseControlAgainstEveryAnswer(t *testing.T) {
	t.Parallel()
	periods := []string{"2026-10", "2026-11", "2026-12", "2026-Q4", "2026-Q3", "2026"}
	months := []string{"2026-09", "2026-10", "2026-11", "2026-12"}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		f := newFixture(t, e, nil) // K = 10
		for seed := range uint64(12) {
			// A table of its own per store: the release control reads one.
			table := fmt.Sprint("table-", seed)
			t.Run(table, func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 7))
				var (
					answers []storedRow
					changes []changeRow
				)
				for v := int64(1); v <= 40; v++ {
					if r.IntN(2) == 0 {
						c := changeRow{month: months[r.IntN(len(months))], version: v}
						for range 1 + r.IntN(3) {
							c.subjects = append(c.subjects, fmt.Sprint("case-", r.IntN(30)))
						}
						changes = append(changes, c)
					}
					if r.IntN(3) == 0 {
						answers = append(answers, storedRow{period: periods[r.IntN(len(periods))], version: v})
					}
				}
				storeRows(t, f, table, answers, changes)
				for _, period := range periods {
					want := blockingPeriods(period, answers, changes, 10)
					got, err := f.s.tooFewChanges(f.ctx, f.db, table, period)
					if err != nil {
						t.Fatal(err)
					}
					if (got == "") != (len(want) == 0) || got != "" && !slices.Contains(want, got) {
						t.Errorf("release of %s: blocked by %q, want one of %v", period, got, want)
					}
				}
			})
		}
	})
}
