package stats

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

func TestLateRegistrationStillCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		events func() []facts.Event
		table  string
		cell   []string
		want   int64
	}{
		{"decision before registration takes the age group", func() []facts.Event {
			return []facts.Event{decided("k1", "2026-11", "rg_positive", 4, true),
				registered("k1", "2026-10", "MA-06", "female", "child", "abroad", "police", "sexual")}
		}, TableDecisionsOutcomeAge, []string{"decisions", "rg_positive", "child"}, 1},
		{"the decision is no longer counted as of unknown age", func() []facts.Event {
			return []facts.Event{decided("k1", "2026-11", "rg_positive", 4, true),
				registered("k1", "2026-10", "MA-06", "female", "child", "abroad", "police", "sexual")}
		}, TableDecisionsOutcomeAge, []string{"decisions", "rg_positive", "unknown"}, 0},
		{"acceptance before registration takes the region", func() []facts.Event {
			return []facts.Event{referral(facts.ReferralAccepted, "k1", "r1", "2026-11", "shelter", 7200),
				registered("k1", "2026-11", "MA-03", "male", "adult", "in_country", "ngo", "labour")}
		}, TableReferralAcceptance, []string{"referrals", "shelter", "MA-03", "accepted"}, 1},
		{"a declined referral later accepted counts as accepted", func() []facts.Event {
			return []facts.Event{referral(facts.ReferralAccepted, "k1", "r1", "2026-11", "shelter", 60),
				referral(facts.ReferralDeclined, "k1", "r1", "2026-11", "shelter", 0),
				registered("k1", "2026-11", "MA-03", "male", "adult", "in_country", "ngo", "labour")}
		}, TableReferralAcceptance, []string{"referrals", "*", "*", "declined"}, 0},
		{"linked cases count as one person", func() []facts.Event {
			return []facts.Event{linked("k2", "k1", "2026-11"),
				registered("k1", "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual"),
				registered("k2", "2026-11", "MA-01", "female", "adult", "abroad", "police", "sexual")}
		}, TableCasesByAgeLocation, []string{"persons", "*", "*"}, 1},
		{"linked cases still count as two cases", func() []facts.Event {
			return []facts.Event{linked("k2", "k1", "2026-11"),
				registered("k1", "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual"),
				registered("k2", "2026-11", "MA-01", "female", "adult", "abroad", "police", "sexual")}
		}, TableCasesByAgeLocation, []string{"cases", "*", "*"}, 2},
		{"a person is counted under the earliest identified case", func() []facts.Event {
			return []facts.Event{registered("k9", "2026-12", "MA-01", "female", "adult", "abroad", "ngo", "sexual"),
				registered("k1", "2026-11", "MA-01", "female", "child", "abroad", "police", "sexual"),
				linked("k9", "k1", "2026-12")}
		}, TableCasesByAgeLocation, []string{"persons", "child", "abroad"}, 1},
		{"one case with two exploitation types is one case in the margin", func() []facts.Event {
			return []facts.Event{registered("k1", "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual", "labour")}
		}, TableExploitationGenderAge, []string{"cases", "*", "female", "adult"}, 1},
		{"consent is not a filter", func() []facts.Event {
			no := false
			return []facts.Event{registered("k1", "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual"),
				{ID: nextID("con"), Type: facts.Consent, CaseKey: "k1", Month: "2026-11", Purpose: "data_sharing", Granted: &no}}
		}, TableRegionResponder, []string{"cases", "MA-01", "ngo"}, 1},
	}
	// Each case on each engine gets a database of its own (a copy of the
	// migrated template) and runs beside the others.
	engines := map[string]func(testing.TB) dbtest.Engine{"sqlite": dbtest.SQLite, "postgres": dbtest.Postgres}
	for name, engine := range engines {
		for _, tc := range tests {
			t.Run(name+"-"+tc.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, engine(t), nil)
				for _, ev := range tc.events() {
					f.send(t, ev)
				}
				if got := f.trueCount(t, tc.table, "2026-Q4", tc.cell...); got != tc.want {
					t.Errorf("count %v = %d, want %d", tc.cell, got, tc.want)
				}
			})
		}
	}
}

// randomEvents builds a small history: registrations, links, decisions,
// referrals, overdue decisions and unmet needs over a few months.
func randomEvents(r *rand.Rand, cases int) []facts.Event {
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	months := []string{"2026-09", "2026-10", "2026-11", "2026-12"}
	var out []facts.Event
	for i := range cases {
		key := fmt.Sprintf("case-%03d", i)
		m := pick(months)
		types := []string{pick(exploitations)}
		if r.IntN(3) == 0 {
			types = append(types, pick(exploitations))
		}
		out = append(out, registered(key, m, pick([]string{"MA-01", "MA-02", "MA-06", "abroad"}), pick(genders),
			pick(ageGroups), pick(locations), pick(orgKinds), types...))
		if r.IntN(2) == 0 {
			out = append(out, decided(key, pick(months), pick([]string{"rg_positive", "rg_negative", "cg_positive"}), r.IntN(12), r.IntN(2) == 0))
		}
		if r.IntN(3) == 0 && i > 0 {
			out = append(out, linked(key, fmt.Sprintf("case-%03d", r.IntN(i)), m))
		}
		ref := fmt.Sprintf("ref-%03d", i)
		switch r.IntN(4) {
		case 0:
			out = append(out, referral(facts.ReferralCreated, key, ref, m, pick(services), 0),
				referral(facts.ReferralAccepted, key, ref, m, "", int64(r.IntN(90000))))
		case 1:
			out = append(out, referral(facts.ReferralDeclined, key, ref, m, pick(services), 0))
		case 2:
			out = append(out, referral(facts.ReferralNoProvider, key, ref, m, pick(services), 0))
		}
		if r.IntN(5) == 0 {
			out = append(out, facts.Event{ID: nextID("ovd"), Type: facts.Overdue, CaseKey: key, Month: m, Outcome: "rg"})
		}
	}
	return out
}

func TestReceiveIsOrderAndDuplicateIndependent(t *testing.T) {
	t.Parallel()
	// Each delivery on each engine gets a database of its own (a copy of
	// the migrated template) and runs beside the others; record keys are
	// seeded by record id, so every store holds the same keys.
	engines := map[string]func(testing.TB) dbtest.Engine{"sqlite": dbtest.SQLite, "postgres": dbtest.Postgres}
	base := orderSeed(t)
	for name, engine := range engines {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, engine(t), nil)
			r := rand.New(rand.NewPCG(7, 11))
			events := randomEvents(r, 60)
			f.send(t, events...)
			want := f.dump(t)
			if len(want) == 0 {
				t.Fatal("no aggregates")
			}
			wantTable := f.table(t, TableExploitationGenderAge, "2026-Q4")
			// Three orders per engine and run, new ones every run: more
			// orders over the runs than a fixed six, at half the cost.
			for trial := range 3 {
				seed := base + uint64(trial)
				t.Run(fmt.Sprint("permutation ", trial), func(t *testing.T) {
					t.Parallel()
					f := newFixture(t, engine(t), nil)
					r := rand.New(rand.NewPCG(seed, 11))
					shuffled := slices.Clone(events)
					for range len(events) / 3 { // duplicates
						shuffled = append(shuffled, events[r.IntN(len(events))])
					}
					r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
					for len(shuffled) > 0 { // batches of random size, some delivered twice
						n := min(len(shuffled), 1+r.IntN(9))
						f.send(t, shuffled[:n]...)
						if r.IntN(4) == 0 {
							f.send(t, shuffled[:n]...)
						}
						shuffled = shuffled[n:]
					}
					got := f.dump(t)
					if !slices.Equal(got, want) {
						t.Fatalf("aggregates differ from in-order delivery:\n got %d rows\nwant %d rows\nfirst diff: %s", len(got), len(want), firstDiff(got, want))
					}
					gotTable := f.table(t, TableExploitationGenderAge, "2026-Q4")
					for i, c := range gotTable.Cells {
						if value(c) != value(wantTable.Cells[i]) {
							t.Fatalf("published cell %v = %s, want %s", c.Dims, value(c), value(wantTable.Cells[i]))
						}
					}
				})
			}
		})
	}
}

// orderSeed is the first seed of the delivery orders tried: NRM_TEST_SEED
// when set (to replay a failure), else a new one, logged.
func orderSeed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv("NRM_TEST_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("NRM_TEST_SEED=%q: %v", v, err)
		}
		return seed
	}
	seed := rand.Uint64()
	t.Logf("delivery orders from seed %d (NRM_TEST_SEED=%d replays them)", seed, seed)
	return seed
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " vs " + b[i]
		}
	}
	return "length"
}

// A case registered twice (a replayed or corrected event) counts under the
// registration with the smaller event id, whether the two arrive in one
// batch or two, in either order.
func TestTwoRegistrationsOfOneCase(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		first := registered("k1", "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual")
		second := registered("k1", "2026-11", "MA-02", "female", "adult", "abroad", "ngo", "sexual")
		for name, deliveries := range map[string][][]facts.Event{
			"one batch, in order":   {{first, second}},
			"one batch, reversed":   {{second, first}},
			"two batches, in order": {{first}, {second}},
			"two batches, reversed": {{second}, {first}},
		} {
			t.Run(name, func(t *testing.T) {
				f.reset(t)
				for _, batch := range deliveries {
					f.send(t, batch...)
				}
				if got := f.trueCount(t, TableRegionResponder, "2026-Q4", "cases", "MA-01", "ngo"); got != 1 {
					t.Errorf("MA-01 counts %d, want 1", got)
				}
				if got := f.trueCount(t, TableRegionResponder, "2026-Q4", "cases", "MA-02", "ngo"); got != 0 {
					t.Errorf("MA-02 counts %d, want 0", got)
				}
			})
		}
	})
}
