package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
)

// seededNoise makes the differential-privacy noise reproducible.
func seededNoise(seed uint64) func(*Config) {
	return func(c *Config) {
		r := rand.New(rand.NewPCG(seed, seed+1))
		var mu sync.Mutex
		c.Uniform = func() float64 {
			mu.Lock()
			defer mu.Unlock()
			for {
				if u := r.Float64(); u > 0 {
					return u
				}
			}
		}
	}
}

// unlimitedLedger lifts the privacy ledger: the attack test shows what it
// prevents.
func unlimitedLedger(c *Config) {
	d, err := LoadDisclosure("")
	if err != nil {
		panic(err)
	}
	d.DP.EpsilonPerMonth = 1e9
	c.Disclosure, c.unchecked = &d, true
}

func both(a, b func(*Config)) func(*Config) {
	return func(c *Config) {
		if a != nil {
			a(c)
		}
		if b != nil {
			b(c)
		}
	}
}

func noProvider(key, month, service string) facts.Event {
	return facts.Event{ID: nextID("unmet"), Type: facts.ReferralNoProvider, CaseKey: key, Month: month, Service: service}
}

// mle is the maximum-likelihood estimate of a count from answers with
// two-sided geometric noise of parameter alpha clamped at 0.
func mle(answers []int64, alpha float64) int64 {
	logP := func(obs, n int64) float64 {
		if obs == 0 { // P(n + X <= 0) = alpha^n / (1 + alpha)
			return float64(n)*math.Log(alpha) - math.Log(1+alpha)
		}
		k := obs - n
		return math.Log((1-alpha)/(1+alpha)) + float64(max(k, -k))*math.Log(alpha)
	}
	best, bestLL := int64(0), math.Inf(-1)
	for n := int64(0); n <= 100; n++ {
		var ll float64
		for _, a := range answers {
			ll += logP(a, n)
		}
		if ll > bestLL {
			best, bestLL = n, ll
		}
	}
	return best
}

// averagingAttack replays the attack of the issue: the cell of 3 unmet
// needs (shelter, MA-01) is suppressed in each month's cell-key release;
// the attacker opens releases of the largest allowed epsilon, asks every
// month's unmet-needs table from each at epsilon 0.5, and takes the
// maximum-likelihood estimate of the cell from the answers it got.
func averagingAttack(t *testing.T, tweak func(*Config), releases int) (exact, answered, refused int) {
	t.Helper()
	const secret, eps = 3, 0.5
	f := newFixture(t, dbtest.SQLite(t), both(tweak, seededNoise(42)))
	var months []string
	for _, m := range trialMonths(24) {
		if len(months) == 8 {
			break
		}
		var es []facts.Event
		for i := range secret {
			es = append(es, noProvider(fmt.Sprintf("%s-target-%d", m, i), m, "shelter"))
		}
		for i := range 30 {
			es = append(es, noProvider(fmt.Sprintf("%s-other-%d", m, i), m, services[1+i%3]))
		}
		f.send(t, es...)
		// The attack is on suppressed cells: a month whose perturbation
		// publishes the cell (noise +2) is no trial.
		if c, _ := f.table(t, TableUnmetNeeds, m).Find("unmet_needs", "shelter", "unknown"); c.Suppressed {
			months = append(months, m)
		}
	}
	if len(months) < 8 {
		t.Fatalf("only %d months with the cell suppressed", len(months))
	}
	answers := map[string][]int64{}
	for r := range releases {
		name := fmt.Sprintf("avg-%03d", r)
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: name, Epsilon: f.s.policy.DP.MaxReleaseEpsilon}); err != nil {
			t.Fatal(err)
		}
		for _, m := range months {
			tb, err := f.s.ReleaseTable(f.ctx, name, TableUnmetNeeds, m, eps)
			if errors.Is(err, ErrPrivacyBudgetSpent) {
				refused++
				continue
			}
			if err != nil {
				t.Fatalf("release %s, %s: %v", name, m, err)
			}
			c, _ := tb.Find("unmet_needs", "shelter", "unknown")
			answers[m] = append(answers[m], *c.Value)
			answered++
		}
	}
	alpha := math.Exp(-eps / dpSensitivity(f.s.byName[TableUnmetNeeds]))
	for _, m := range months {
		if a := answers[m]; len(a) > 0 && mle(a, alpha) == secret {
			exact++
		}
	}
	return exact, answered, refused
}

func TestAttackAveragingDifferentialPrivacyReleases(t *testing.T) {
	simulation(t)
	t.Parallel()
	// Each answer of the cell (sensitivity 1, epsilon 0.5) carries
	// two-sided geometric noise of alpha e^-0.5, about Laplace noise of
	// scale b = 2; the maximum-likelihood estimate from n answers (about
	// their median) is off by about b/sqrt(n), 0.18 at n = 120. It misses
	// the count (off by 0.5 or more, 2.7 of those) in 0.75% of months (a
	// simulation of 2,000 trials agrees), so without the ledger two or more
	// misses in 8 months happen with probability about 28 * 0.0075^2 =
	// 0.2%. With the ledger the attacker gets 2 answers a month (b/sqrt(2)
	// = 1.4) whatever the number of releases.
	const releases, trials = 120, 8
	t.Run("no ledger", func(t *testing.T) {
		t.Parallel()
		exact, answered, _ := averagingAttack(t, unlimitedLedger, releases)
		t.Logf("without the ledger: %d answers, the suppressed count recovered exactly in %d of %d months", answered, exact, trials)
		if exact < trials-1 {
			t.Fatalf("without the ledger the attack recovered the count in %d of %d months; want nearly all", exact, trials)
		}
	})
	t.Run("ledger", func(t *testing.T) {
		t.Parallel()
		exact, answered, refused := averagingAttack(t, nil, releases)
		t.Logf("with the ledger: %d answers, %d refused, the suppressed count recovered exactly in %d of %d months", answered, refused, exact, trials)
		if want := trials * 2; answered != want { // epsilon_per_month 1 at 0.5 an answer
			t.Errorf("%d answers given, want %d (the month's budget)", answered, want)
		}
		if refused != releases*trials-answered {
			t.Errorf("%d refused, want every answer past the budget", refused)
		}
		if exact*2 > trials {
			t.Errorf("the attack recovered the count in %d of %d months; want at most half", exact, trials)
		}
	})
}

func TestLedger(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil) // 1 per month, 0.5 by default
		f.sendN(t, 20, func(i int) facts.Event {
			return registered(fmt.Sprintf("k%02d", i), "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual")
		})
		open := func(name string) {
			t.Helper()
			if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: name, Epsilon: 5}); err != nil {
				t.Fatal(err)
			}
		}
		spent := func(family, month string) float64 {
			t.Helper()
			e, err := f.s.ledgerEntry(f.ctx, f.db, family, month)
			if err != nil {
				t.Fatal(err)
			}
			return e.Spent
		}
		open("a")
		first, err := f.s.ReleaseTable(f.ctx, "a", TableRegionResponder, "2026-Q4", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"2026-10", "2026-11", "2026-12"} {
			if got := spent(FamilyCases, m); got != 0.5 {
				t.Errorf("a quarter's answer spent %g from %s, want 0.5 from each of its months", got, m)
			}
		}
		again, err := f.s.ReleaseTable(f.ctx, "a", TableRegionResponder, "2026-Q4", 0.5)
		if err != nil {
			t.Fatal(err)
		}
		sameFigures(t, "the same question of the same release", first, again)
		if got := spent(FamilyCases, "2026-11"); got != 0.5 {
			t.Errorf("asking again spent: %g", got)
		}
		if _, err := f.s.ReleaseTable(f.ctx, "a", TableRegionResponder, "2026-Q4", 0.25); !errors.Is(err, ErrEpsilonDiffers) {
			t.Errorf("the same table at another epsilon in the same release: %v", err)
		}
		// Another table of the family, another release: the same ledger.
		open("b")
		if _, err := f.s.ReleaseTable(f.ctx, "b", TableCasesByAgeLocation, "2026-11", 0); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.ReleaseTable(f.ctx, "b", TableExploitationGenderAge, "2026", 0)
		if !errors.Is(err, ErrPrivacyBudgetSpent) || !strings.Contains(err.Error(), "epsilon 0 of 1 remains") ||
			!strings.Contains(err.Error(), "2026-11") {
			t.Fatalf("a year over spent months: %v", err)
		}
		if kit.AsError(err).Status != 409 || kit.AsError(err).Code != "privacy_budget_spent" {
			t.Errorf("refusal: %d %s", kit.AsError(err).Status, kit.AsError(err).Code)
		}
		if got := spent(FamilyCases, "2026-01"); got != 0 {
			t.Errorf("a refused year spent %g from its first month", got)
		}
		// Other families keep their own budget.
		if _, err := f.s.ReleaseTable(f.ctx, "b", TableUnmetNeeds, "2026-11", 1); err != nil {
			t.Errorf("another family's ledger: %v", err)
		}
		if n := f.auditCount(t, "stats.release.read", "denied", "analyst-1"); n != 1 {
			t.Errorf("%d refused answers audited, want 1", n)
		}
		// The ledger outlives the process.
		restarted, err := New(Config{DB: f.db, Now: f.s.now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := restarted.CreateRelease(f.ctx, ReleaseSpec{Name: "c", Epsilon: 5}); err != nil {
			t.Fatal(err)
		}
		if _, err := restarted.ReleaseTable(f.ctx, "c", TableRegionResponder, "2026-11", 0); !errors.Is(err, ErrPrivacyBudgetSpent) {
			t.Errorf("after a restart: %v", err)
		}
		entries, err := restarted.Ledger(f.ctx, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{FamilyCases: 1, FamilyDecisions: 0, FamilyReferrals: 1}
		for _, e := range entries {
			if e.Spent != want[e.Family] || e.Remaining != e.Budget-e.Spent {
				t.Errorf("ledger %s %s: spent %g remaining %g", e.Family, e.Month, e.Spent, e.Remaining)
			}
		}
	})
}

// N analysts asking at once, each in a release of their own, never spend
// more than the budget between them.
func TestLedgerConcurrentSpends(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.sendN(t, 20, func(i int) facts.Event {
			return registered(fmt.Sprintf("k%02d", i), "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual")
		})
		const n = 12
		for i := range n {
			if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: fmt.Sprint("r", i), Epsilon: 5}); err != nil {
				t.Fatal(err)
			}
		}
		var (
			wg                sync.WaitGroup
			mu                sync.Mutex
			answered, refused int
			other             []error
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.s.ReleaseTable(f.ctx, fmt.Sprint("r", i), TableCasesByAgeLocation, "2026-11", 0.25)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					answered++
				case errors.Is(err, ErrPrivacyBudgetSpent):
					refused++
				default:
					other = append(other, err)
				}
			}()
		}
		wg.Wait()
		if len(other) > 0 {
			t.Fatalf("unexpected errors: %v", other)
		}
		if answered != 4 || refused != n-4 {
			t.Fatalf("%d answered, %d refused; want 4 (a budget of 1 at 0.25) and %d", answered, refused, n-4)
		}
		e2, err := f.s.ledgerEntry(f.ctx, f.db, FamilyCases, "2026-11")
		if err != nil || e2.Spent != 1 {
			t.Fatalf("ledger after the race: %+v %v", e2, err)
		}
	})
}
