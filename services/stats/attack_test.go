package stats

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

// trialMonths are independent trials: each month is its own table.
func trialMonths(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%d-%02d", 2024+i/12, i%12+1))
	}
	return out
}

// An attacker reads a region's total and every published first-responder
// cell of that region, and takes the difference as the suppressed cell
// (2 cases by police in MA-01). Without perturbation the difference is
// exact every time; with it, the attacker cannot be sure.
func TestAttackDifferencingRecoversSuppressedCellOnlyWithoutPerturbation(t *testing.T) {
	simulation(t)
	t.Parallel()
	const secret = 2
	months := trialMonths(24)
	run := func(t *testing.T, tweak func(*Config)) (exact int) {
		f := newFixture(t, dbtest.SQLite(t), tweak)
		r := rand.New(rand.NewPCG(1, 2))
		var es []facts.Event // every month in one delivery: each month is its own table
		for _, m := range months {
			for i := range secret {
				es = append(es, registered(fmt.Sprintf("%s-police-%d", m, i), m, "MA-01", "female", "adult", "abroad", "police", "labour"))
			}
			for _, kind := range orgKinds {
				if kind == "police" {
					continue
				}
				for i := range 8 + r.IntN(5) {
					es = append(es, registered(fmt.Sprintf("%s-%s-%d", m, kind, i), m, "MA-01", "male", "adult", "in_country", kind, "labour"))
				}
			}
		}
		f.send(t, es...)
		for _, m := range months {
			tb := f.table(t, TableRegionResponder, m)
			target, _ := tb.Find(unitCases, "MA-01", "police")
			if !target.Suppressed {
				t.Fatalf("%s: the 2-case cell is published (%s)", m, value(target))
			}
			tot, _ := tb.Find(unitCases, "MA-01", total)
			if tot.Value == nil {
				t.Fatalf("%s: region total suppressed", m)
			}
			estimate := *tot.Value
			for _, c := range tb.Cells {
				if c.Unit != unitCases || c.Dims[0] != "MA-01" || c.Dims[1] == total || c.Dims[1] == "police" {
					continue
				}
				if c.Value == nil {
					t.Fatalf("%s: cell %v suppressed; the attack needs every other cell", m, c.Dims)
				}
				estimate -= *c.Value
			}
			if estimate == secret {
				exact++
			}
		}
		return exact
	}
	t.Run("without perturbation", func(t *testing.T) {
		t.Parallel() // each attack on a store of its own
		if got := run(t, noNoiseButSuppressed); got != len(months) {
			t.Fatalf("without perturbation the attack recovered the cell in %d of %d trials, want all", got, len(months))
		}
	})
	t.Run("with perturbation", func(t *testing.T) {
		t.Parallel()
		got := run(t, nil)
		t.Logf("with perturbation the difference equalled the suppressed count in %d of %d trials", got, len(months))
		if got*2 > len(months) {
			t.Errorf("with perturbation the attack was exact in %d of %d trials; want at most half", got, len(months))
		}
	})
}

// An attacker who knows a case entered the NRM in a month (it may be one
// they registered) compares the month's exploitation × gender table before
// and after, through the release mechanism: they read the month (its first
// release), the case and `others` more arrive, they ask for a new release
// and read again. They name the case's type and gender as the adult cell
// that moved most (a unique maximum of the absolute change).
func differencingAttack(t *testing.T, tweak func(*Config), others int) (named, refused, unchanged int) {
	t.Helper()
	months := trialMonths(24)
	types := []string{"sexual", "labour", "domestic_servitude"}
	sexes := []string{"female", "male"}
	f := newFixture(t, dbtest.SQLite(t), tweak)
	r := rand.New(rand.NewPCG(3, 4))
	// Months are independent tables: every month's first cases arrive in
	// one delivery, each month is read, then every month's new cases
	// arrive in a second delivery, and each month is released again.
	var base, news []facts.Event
	targets := map[string][2]string{}
	for _, m := range months {
		for _, ty := range types {
			for _, g := range sexes {
				for i := range 10 {
					base = append(base, registered(fmt.Sprintf("%s-%s-%s-%d", m, ty, g, i), m, "MA-02", g, "adult", "abroad", "ngo", ty))
				}
			}
		}
		ty, g := types[r.IntN(len(types))], sexes[r.IntN(len(sexes))]
		targets[m] = [2]string{ty, g}
		news = append(news, registered(m+"-target", m, "MA-02", g, "adult", "abroad", "ngo", ty))
		for i := range others {
			news = append(news, registered(fmt.Sprintf("%s-other-%d", m, i), m, "MA-02", sexes[r.IntN(len(sexes))], "adult",
				"abroad", "ngo", types[r.IntN(len(types))]))
		}
	}
	f.send(t, base...)
	befores := map[string]Table{}
	for _, m := range months {
		befores[m] = f.table(t, TableExploitationGenderAge, m)
	}
	f.send(t, news...)
	for _, m := range months {
		before, ty, g := befores[m], targets[m][0], targets[m][1]
		_, err := f.release("again-"+m, m)
		switch {
		case errors.Is(err, ErrReleaseTooSmall):
			refused++
		case err != nil:
			t.Fatalf("release %s: %v", m, err)
		}
		after := f.table(t, TableExploitationGenderAge, m)
		same := true
		for i := range after.Cells {
			same = same && value(after.Cells[i]) == value(before.Cells[i])
		}
		if same {
			unchanged++
		}
		var best [2]string
		bestMove, ties := int64(0), 0
		for _, ty2 := range types {
			for _, g2 := range sexes {
				b, _ := before.Find(unitCases, ty2, g2, "adult")
				a, _ := after.Find(unitCases, ty2, g2, "adult")
				move := *a.Value - *b.Value
				switch move = max(move, -move); {
				case move > bestMove:
					best, bestMove, ties = [2]string{ty2, g2}, move, 1
				case move == bestMove:
					ties++
				}
			}
		}
		if bestMove > 0 && ties == 1 && best == [2]string{ty, g} {
			named++
		}
	}
	return named, refused, unchanged
}

func TestAttackDifferencingTwoReleases(t *testing.T) {
	simulation(t)
	t.Parallel()
	const trials = 24
	t.Run("one case, no protection", func(t *testing.T) {
		t.Parallel() // each attack on a store of its own
		if named, _, _ := differencingAttack(t, unprotected, 0); named != trials {
			t.Fatalf("without any protection the attack named the case's cell in %d of %d trials, want all", named, trials)
		}
	})
	t.Run("one case, perturbation without release control", func(t *testing.T) {
		t.Parallel() // each attack on a store of its own
		// Consistent perturbation: the cells without the new case keep
		// their values, so the one cell that moved points at it.
		named, refused, _ := differencingAttack(t, noReleaseControl, 0)
		t.Logf("perturbation alone: the case's cell named in %d of %d trials", named, trials)
		if refused != 0 || named*2 < trials {
			t.Fatalf("without release control: %d refusals, cell named in %d of %d trials; want none and at least half", refused, named, trials)
		}
	})
	t.Run("one case, release control", func(t *testing.T) {
		t.Parallel() // each attack on a store of its own
		named, refused, unchanged := differencingAttack(t, nil, 0)
		t.Logf("release control, one case: %d of %d new releases refused, cell named in %d", refused, trials, named)
		if refused != trials || unchanged != trials || named != 0 {
			t.Fatalf("%d refused, %d unchanged, %d named of %d; want every release refused and the figures unchanged", refused, unchanged, named, trials)
		}
	})
	t.Run("K cases, release control", func(t *testing.T) {
		t.Parallel() // each attack on a store of its own
		d, _ := LoadDisclosure("")
		named, refused, _ := differencingAttack(t, nil, d.ReleaseMinChanges-1)
		t.Logf("release control, %d cases: the target's cell named in %d of %d trials", d.ReleaseMinChanges, named, trials)
		if refused != 0 {
			t.Fatalf("%d releases of %d new cases refused", refused, d.ReleaseMinChanges)
		}
		if named*3 > trials {
			t.Errorf("the target's cell named in %d of %d trials; want at most a third", named, trials)
		}
	})
}

// Asking twice gives the same answer, and a new release after facts
// arrive in other cells leaves the cells whose records did not change as
// they were.
func TestSameRecordsSameAnswer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), nil)
	var es []facts.Event
	for i := range 40 {
		g := genders[i%2]
		es = append(es, registered(fmt.Sprintf("k%02d", i), "2026-11", "MA-0"+fmt.Sprint(1+i%3), g, ageGroups[i%2],
			locations[i%3], orgKinds[i%4], exploitations[i%3]))
	}
	f.send(t, es...)
	first := f.table(t, TableExploitationGenderAge, "2026-Q4")
	second := f.table(t, TableExploitationGenderAge, "2026-Q4")
	for i := range first.Cells {
		if value(first.Cells[i]) != value(second.Cells[i]) {
			t.Fatalf("cell %v: %s then %s", first.Cells[i].Dims, value(first.Cells[i]), value(second.Cells[i]))
		}
	}
	// New facts: female adults in begging; every cell outside begging,
	// female and adult (and their margins) keeps its records.
	f.sendN(t, 12, func(i int) facts.Event {
		return registered(fmt.Sprintf("new%d", i), "2026-12", "MA-05", "female", "adult", "abroad", "ngo", "begging")
	})
	if _, err := f.release("q4-second", "2026-Q4"); err != nil {
		t.Fatal(err)
	}
	third := f.table(t, TableExploitationGenderAge, "2026-Q4")
	if third.Release != "q4-second" {
		t.Fatalf("served from release %q, want the latest", third.Release)
	}
	touched := func(c Cell) bool {
		return (c.Dims[0] == "begging" || c.Dims[0] == total) && (c.Dims[1] == "female" || c.Dims[1] == total) &&
			(c.Dims[2] == "adult" || c.Dims[2] == total)
	}
	kept, changed := 0, 0
	for i, c := range third.Cells {
		if touched(c) {
			if value(c) != value(first.Cells[i]) {
				changed++
			}
			continue
		}
		kept++
		if value(c) != value(first.Cells[i]) {
			t.Errorf("unchanged cell %s %v moved from %s to %s", c.Unit, c.Dims, value(first.Cells[i]), value(c))
		}
	}
	if kept == 0 || changed == 0 {
		t.Fatalf("kept %d, changed %d: the test did not exercise both kinds of cell", kept, changed)
	}
}

// simulation marks t as one of the privacy-attack simulations: hundreds
// of releases computed one after another on a store of their own. The
// race detector has nothing to find in them (the code they drive runs
// concurrently in the other tests of the package, under it) and makes
// them ten times slower: 45 s of CPU under it, half the package's, and
// 4.4 s without. Under -race they are skipped; `go test ./services/stats/`
// and .ci/run's simulation step run them.
func simulation(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("privacy-attack simulation: run without -race (make test-simulations)")
	}
}
