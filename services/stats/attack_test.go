package stats

import (
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
	const secret = 2
	months := trialMonths(24)
	run := func(t *testing.T, tweak func(*Config)) (exact int) {
		f := newFixture(t, dbtest.SQLite(t), tweak)
		r := rand.New(rand.NewPCG(1, 2))
		for _, m := range months {
			var es []facts.Event
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
			f.send(t, es...)
		}
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
	if got := run(t, noNoiseButSuppressed); got != len(months) {
		t.Fatalf("without perturbation the attack recovered the cell in %d of %d trials, want all", got, len(months))
	}
	got := run(t, nil)
	t.Logf("with perturbation the difference equalled the suppressed count in %d of %d trials", got, len(months))
	if got*2 > len(months) {
		t.Errorf("with perturbation the attack was exact in %d of %d trials; want at most half", got, len(months))
	}
}

// Two releases of the exploitation × gender table differ by one case. The
// attacker looks for the one inner cell that went up by exactly one while
// every other inner cell stayed the same, which without perturbation
// gives the case's type and gender every time.
func TestAttackDifferencingTwoReleasesRevealsTheNewCaseOnlyWithoutPerturbation(t *testing.T) {
	months := trialMonths(24)
	types := []string{"sexual", "labour", "domestic_servitude"}
	sexes := []string{"female", "male"}
	run := func(t *testing.T, tweak func(*Config)) (exact, changed int) {
		f := newFixture(t, dbtest.SQLite(t), tweak)
		r := rand.New(rand.NewPCG(3, 4))
		for _, m := range months {
			var es []facts.Event
			for _, ty := range types {
				for _, g := range sexes {
					for i := range 10 {
						es = append(es, registered(fmt.Sprintf("%s-%s-%s-%d", m, ty, g, i), m, "MA-02", g, "adult", "abroad", "ngo", ty))
					}
				}
			}
			f.send(t, es...)
			before := f.table(t, TableExploitationGenderAge, m)
			ty, g := types[r.IntN(len(types))], sexes[r.IntN(len(sexes))]
			f.send(t, registered(m+"-new", m, "MA-02", g, "adult", "abroad", "ngo", ty))
			after := f.table(t, TableExploitationGenderAge, m)

			var plusOne, moved [][2]string
			othersStill := true
			for _, ty2 := range types {
				for _, g2 := range sexes {
					b, _ := before.Find(unitCases, ty2, g2, "adult")
					a, _ := after.Find(unitCases, ty2, g2, "adult")
					switch d := *a.Value - *b.Value; {
					case d == 1:
						plusOne = append(plusOne, [2]string{ty2, g2})
						moved = append(moved, [2]string{ty2, g2})
					case d != 0:
						othersStill = false
						moved = append(moved, [2]string{ty2, g2})
					}
				}
			}
			if othersStill && len(plusOne) == 1 && plusOne[0] == [2]string{ty, g} {
				exact++
			}
			if len(moved) == 1 && moved[0] == [2]string{ty, g} {
				changed++
			}
		}
		return exact, changed
	}
	if exact, _ := run(t, noNoiseButSuppressed); exact != len(months) {
		t.Fatalf("without perturbation the differencing attack found the case in %d of %d trials, want all", exact, len(months))
	}
	exact, changed := run(t, nil)
	t.Logf("with perturbation: exact +1 signature in %d of %d trials; the only changed cell was the case's in %d",
		exact, len(months), changed)
	if exact*3 > len(months) {
		t.Errorf("with perturbation the exact differencing attack succeeded in %d of %d trials; want at most a third", exact, len(months))
	}
	// Consistency has a price (docs/statistics.md): a cell whose records
	// change usually changes value. The attacker is not certain, but often right.
	if changed == len(months) {
		t.Errorf("the changed cell named the case in every trial")
	}
}

// Asking twice gives the same answer, and facts arriving in other cells
// leave the cells whose records did not change as they were.
func TestSameRecordsSameAnswer(t *testing.T) {
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
	for i := range 6 {
		f.send(t, registered(fmt.Sprintf("new%d", i), "2026-12", "MA-05", "female", "adult", "abroad", "ngo", "begging"))
	}
	third := f.table(t, TableExploitationGenderAge, "2026-Q4")
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
