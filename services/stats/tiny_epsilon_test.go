package stats

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
)

// An epsilon so small that exp(-epsilon/sensitivity) rounds to 1 drew no
// noise at all and spent nothing the ledger could see: once the ledger was
// spent, an attacker still read the exact count of a suppressed cell.
func TestTinyEpsilonNeverAnswersExactly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), nil)
	var es []facts.Event
	for i := range 3 {
		es = append(es, noProvider(fmt.Sprintf("t-%d", i), "2026-11", "shelter"))
	}
	for i := range 30 {
		es = append(es, noProvider(fmt.Sprintf("o-%d", i), "2026-11", services[1+i%3]))
	}
	f.send(t, es...)
	if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "full", Epsilon: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ReleaseTable(f.ctx, "full", TableUnmetNeeds, "2026-11", 1); err != nil {
		t.Fatal(err)
	}
	exact := 0
	for r := range 20 {
		name := fmt.Sprintf("tiny-%d", r)
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: name, Epsilon: 5}); err != nil {
			t.Fatal(err)
		}
		tb, err := f.s.ReleaseTable(f.ctx, name, TableUnmetNeeds, "2026-11", 1e-20)
		if err != nil {
			if !errors.Is(err, ErrBadEpsilon) {
				t.Fatalf("%d: %v", r, err)
			}
			continue
		}
		if c, _ := tb.Find("unmet_needs", "shelter", "unknown"); c.Value != nil && *c.Value == 3 {
			exact++
		}
	}
	if exact > 2 {
		t.Errorf("the exact count answered in %d of 20 releases after the ledger was spent", exact)
	}
}

// Every epsilon below the policy's minimum, or not a finite number, is a
// 400 naming the field; the ledger is untouched.
func TestEpsilonBelowMinimumRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), nil)
	f.sendN(t, 12, func(i int) facts.Event { return noProvider(fmt.Sprintf("k-%d", i), "2026-11", services[i%4]) })
	if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "r", Epsilon: 5}); err != nil {
		t.Fatal(err)
	}
	for _, eps := range []float64{1e-20, 5e-324, 0.009999, -0.5, math.Inf(1), math.NaN()} {
		t.Run(fmt.Sprint(eps), func(t *testing.T) {
			_, err := f.s.ReleaseTable(f.ctx, "r", TableUnmetNeeds, "2026-11", eps)
			e := kit.AsError(err)
			if e.Status != http.StatusBadRequest || !errors.Is(err, ErrBadEpsilon) || len(e.Fields) != 1 || e.Fields[0].Path != "epsilon" {
				t.Fatalf("epsilon %g: %v (fields %v)", eps, err, e.Fields)
			}
		})
	}
	le, err := f.s.ledgerEntry(f.ctx, f.db, FamilyReferrals, "2026-11")
	if err != nil || le.Spent != 0 {
		t.Fatalf("refused answers spent %g (%v)", le.Spent, err)
	}
	if _, err := f.s.ReleaseTable(f.ctx, "r", TableUnmetNeeds, "2026-11", 0.01); err != nil {
		t.Fatalf("the minimum itself: %v", err)
	}
}

// mleMixed is the maximum-likelihood estimate of a count from answers
// each drawn at its own alpha, clamped at 0.
func mleMixed(answers []int64, alphas []float64) int64 {
	best, bestLL := int64(0), math.Inf(-1)
	for n := int64(0); n <= 100; n++ {
		var ll float64
		for i, a := range answers {
			alpha := alphas[i]
			if a == 0 {
				ll += float64(n)*math.Log(alpha) - math.Log(1+alpha)
				continue
			}
			k := a - n
			ll += math.Log((1-alpha)/(1+alpha)) + float64(max(k, -k))*math.Log(alpha)
		}
		if ll > bestLL {
			best, bestLL = n, ll
		}
	}
	return best
}

// The averaging attack with the epsilon varied: release after release
// (up to hundreds) the attacker asks each month at tiny, odd and repeated
// small epsilons. Tiny ones are refused; the rest spend from the ledger in
// whole millionths until it refuses, and what was answered does not give
// the suppressed count. The attacker stops once a whole cycle of its
// epsilons was refused for every month: the ledger only shrinks, so every
// later release would be refused alike and tell nothing more.
func TestAttackAveragingVariedEpsilon(t *testing.T) {
	simulation(t)
	t.Parallel()
	const secret, maxReleases, trials = 3, 300, 8
	epsilons := []float64{1e-20, 0.0123457, 0.01, 0.01, 1e-9, 0.0100001, 0.3333333}
	f := newFixture(t, dbtest.SQLite(t), seededNoise(7))
	months := trialMonths(trials)
	for _, m := range months {
		var es []facts.Event
		for i := range secret {
			es = append(es, noProvider(fmt.Sprintf("%s-target-%d", m, i), m, "shelter"))
		}
		for i := range 30 {
			es = append(es, noProvider(fmt.Sprintf("%s-other-%d", m, i), m, services[1+i%3]))
		}
		f.send(t, es...)
	}
	sens := dpSensitivity(f.s.byName[TableUnmetNeeds])
	answers, alphas := map[string][]int64{}, map[string][]float64{}
	var tooSmall, spentOut, answered, releases int
	for quiet := 0; releases < maxReleases && quiet < len(epsilons); releases++ {
		r, before := releases, answered
		name := fmt.Sprintf("vary-%03d", r)
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: name, Epsilon: f.s.policy.DP.MaxReleaseEpsilon}); err != nil {
			t.Fatal(err)
		}
		for i, m := range months {
			eps := epsilons[(r+i)%len(epsilons)]
			tb, err := f.s.ReleaseTable(f.ctx, name, TableUnmetNeeds, m, eps)
			switch {
			case errors.Is(err, ErrBadEpsilon):
				tooSmall++
				continue
			case errors.Is(err, ErrPrivacyBudgetSpent):
				spentOut++
				continue
			case err != nil:
				t.Fatalf("release %s, %s at %g: %v", name, m, eps, err)
			}
			c, _ := tb.Find("unmet_needs", "shelter", "unknown")
			answers[m] = append(answers[m], *c.Value)
			alphas[m] = append(alphas[m], math.Exp(-tb.Epsilon/sens))
			answered++
		}
		if quiet++; answered > before {
			quiet = 0
		}
	}
	if releases == maxReleases {
		t.Fatalf("the ledger still answered after %d releases", maxReleases)
	}
	exact := 0
	for _, m := range months {
		e, err := f.s.ledgerEntry(f.ctx, f.db, FamilyReferrals, m)
		if err != nil {
			t.Fatal(err)
		}
		if e.Spent > e.Budget || e.Remaining >= f.s.policy.DP.MinEpsilon*2 {
			t.Errorf("%s: spent %g of %g, %g remains; want the budget spent and never passed", m, e.Spent, e.Budget, e.Remaining)
		}
		if a := answers[m]; len(a) > 0 && mleMixed(a, alphas[m]) == secret {
			exact++
		}
	}
	t.Logf("%d releases: %d answers, %d refused as below the minimum, %d refused by the ledger; the count recovered in %d of %d months",
		releases, answered, tooSmall, spentOut, exact, trials)
	if tooSmall == 0 || spentOut == 0 {
		t.Fatalf("the attack was not exercised: %d tiny, %d spent", tooSmall, spentOut)
	}
	if max := trials * 100; answered > max { // budget 1 / min_epsilon 0.01 per month
		t.Errorf("%d answers over %d months, want at most %d", answered, trials, max)
	}
	if exact*2 > trials {
		t.Errorf("the attack recovered the count in %d of %d months; want at most half", exact, trials)
	}
}
