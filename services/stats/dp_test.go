package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

func TestReleaseBudget(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil) // 0.5 per table
		f.sendN(t, 20, func(i int) facts.Event {
			return registered(fmt.Sprintf("k%02d", i), "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual")
		})
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "annual-2026", Epsilon: 1.0}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "annual-2026", Epsilon: 1.0}); !errors.Is(err, ErrReleaseExists) {
			t.Fatalf("second release of the same name: %v", err)
		}
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "greedy", Epsilon: 1000}); !errors.Is(err, ErrBadRelease) {
			t.Fatalf("release above the maximum epsilon: %v", err)
		}
		steps := []struct {
			table, period string
			want          error
		}{
			{TableRegionResponder, "2026-Q4", nil},
			{TableRegionResponder, "2026-Q4", nil}, // cached: costs nothing
			{TableCasesByAgeLocation, "2026-Q4", nil},
			{TableCasesByAgeLocation, "2026-Q4", nil}, // cached
			{TableUnmetNeeds, "2026-Q4", ErrBudgetSpent},
			{TableRegionResponder, "2026-11", ErrBudgetSpent}, // another period is another table
		}
		answers := map[string]Table{}
		for i, s := range steps {
			tb, err := f.s.ReleaseTable(f.ctx, "annual-2026", s.table, s.period, 0)
			if !errors.Is(err, s.want) {
				t.Fatalf("step %d (%s %s): %v, want %v", i, s.table, s.period, err, s.want)
			}
			if err != nil {
				continue
			}
			if tb.Method != MethodDP || tb.Epsilon != 0.5 {
				t.Fatalf("step %d: method %s epsilon %g", i, tb.Method, tb.Epsilon)
			}
			key := s.table + s.period
			if prev, ok := answers[key]; ok {
				for j := range prev.Cells {
					if *prev.Cells[j].Value != *tb.Cells[j].Value {
						t.Fatalf("the cached answer changed: cell %v %d then %d", tb.Cells[j].Dims, *prev.Cells[j].Value, *tb.Cells[j].Value)
					}
				}
			}
			answers[key] = tb
		}
		if _, err := f.s.ReleaseTable(f.ctx, "nope", TableRegionResponder, "2026", 0); !errors.Is(err, ErrUnknownRelease) {
			t.Errorf("unknown release: %v", err)
		}
	})
}

// The two-sided geometric noise has the variance of its distribution:
// 2 alpha / (1 - alpha)^2.
func TestGeometricNoiseScale(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	s := &Stats{uniform: func() float64 {
		for {
			if u := r.Float64(); u > 0 {
				return u
			}
		}
	}}
	for _, eps := range []float64{0.1, 0.5, 2} {
		alpha := math.Exp(-eps)
		const n = 200000
		var sum, sq float64
		for range n {
			k, err := s.geometric(alpha)
			if err != nil {
				t.Fatal(err)
			}
			x := float64(k)
			sum += x
			sq += x * x
		}
		mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
		want := 2 * alpha / ((1 - alpha) * (1 - alpha))
		if math.Abs(mean) > 0.05*math.Sqrt(want)+0.01 || math.Abs(variance-want)/want > 0.05 {
			t.Errorf("epsilon %g: mean %.3f variance %.2f, want 0 and %.2f", eps, mean, variance, want)
		}
	}
}

// A parameter that is not noise (alpha rounded to 1, or out of range) and
// a draw that overflows are refused, never answered as a count.
func TestGeometricRefusesNoNoise(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		alpha   float64
		uniform float64
	}{
		{"alpha rounded to 1", math.Exp(-1e-20), 0.5},
		{"alpha above 1", 1.5, 0.5},
		{"alpha 0", 0, 0.5},
		{"alpha NaN", math.NaN(), 0.5},
		{"draw overflows", math.Exp(-1e-15), 1e-300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Stats{uniform: func() float64 { return tc.uniform }}
			if k, err := s.geometric(tc.alpha); !errors.Is(err, errNoNoise) {
				t.Fatalf("drew %d, %v; want errNoNoise", k, err)
			}
		})
	}
}
