package stats

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

func child(key, month string, unaccompanied bool, nats ...string) facts.Event {
	e := registered(key, month, "MA-03", "female", "child", "in_country", "police", "labour")
	yes := true
	e.TreatedAsChild, e.Unaccompanied, e.Nationalities = &yes, unaccompanied, nats
	return e
}

func guardian(key, month string, days int) facts.Event {
	return facts.Event{ID: nextID("grd"), Type: facts.GuardianAppointed, CaseKey: key, Month: month, DaysTaken: &days}
}

func declined(key, ref, month, service, reason string) facts.Event {
	e := referral(facts.ReferralDeclined, key, ref, month, service, 0)
	e.Outcome = reason
	return e
}

func exact(t *testing.T, tb Table, want int64, unit string, dims ...string) {
	t.Helper()
	c, ok := tb.Find(unit, dims...)
	if !ok || c.Value == nil || *c.Value != want {
		t.Errorf("%s %s %v: %s, want %d", tb.Name, unit, dims, value(c), want)
	}
}

// The new tables count what they say, on both engines (no perturbation,
// to see the true counts).
func TestNationalTables(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, func(c *Config) {
			unprotected(c)
			c.Disclosure.NationalitiesByName, c.Disclosure.GuardianTargetDays = 2, 3
		})
		const m = "2026-11"
		var es []facts.Event
		for i := range 12 {
			r := registered(fmt.Sprintf("ng-%d", i), m, "MA-01", "female", "adult", "abroad", "police", "sexual", "labour")
			r.Nationalities = []string{"NG", "FR"}
			es = append(es, r)
		}
		for i := range 8 {
			es = append(es, child(fmt.Sprintf("ma-%d", i), m, i < 5, "MA"))
		}
		for i, nat := range []string{"SN", "SN", "GH", "CI"} {
			r := registered(fmt.Sprintf("x-%d", i), m, "MA-02", "male", "adult", "abroad", "ngo", "domestic_servitude")
			r.Nationalities = []string{nat}
			es = append(es, r)
		}
		es = append(es, guardian("ma-0", m, 1), guardian("ma-1", m, 3), guardian("ma-2", m, 9), guardian("ma-2", m, 12))
		for i := range 6 {
			es = append(es, decided(fmt.Sprintf("ma-%d", i), m, "rg_positive", 4+i, i < 2))
			es = append(es, decided(fmt.Sprintf("ng-%d", i), m, "rg_negative", 2, true))
		}
		es = append(es, declined("ng-0", "ref-1", m, "shelter", "no_capacity"), declined("ng-1", "ref-2", m, "shelter", "client_refused"),
			declined("ng-2", "ref-3", m, "shelter", "not_a_code"), referral(facts.ReferralAccepted, "ng-3", "ref-4", m, "shelter", 3600),
			noProvider("ng-4", m, "medical"))
		f.send(t, es...)

		nat := f.table(t, TableCasesByNationality, m)
		exact(t, nat, 12, unitCases, "NG", total)
		exact(t, nat, 8, unitCases, "MA", "child")
		exact(t, nat, 4, unitCases, nationalityOther, total)
		exact(t, nat, 24, unitCases, total, total)
		for _, c := range nat.Cells {
			if slices.Contains([]string{"SN", "GH", "CI", "FR"}, c.Dims[0]) {
				t.Fatalf("nationality %s named: only the top 2 are, the first listed counts", c.Dims[0])
			}
		}

		re := f.table(t, TableResponderExploitation, m)
		exact(t, re, 12, unitCases, "police", "sexual")
		exact(t, re, 20, unitCases, "police", total)
		exact(t, re, 4, unitCases, "ngo", "domestic_servitude")

		ch := f.table(t, TableChildren, m)
		exact(t, ch, 8, "children", total, total)
		exact(t, ch, 5, "children", "unaccompanied", total)
		exact(t, ch, 2, "children", "unaccompanied", "within_target")
		exact(t, ch, 1, "children", "unaccompanied", "later")
		exact(t, ch, 5, "children", total, "not_appointed")

		dt := f.table(t, TableDecisionTimesAge, m)
		exact(t, dt, 6, unitDecisions, "rg", "child")
		exact(t, dt, 2, unitInTarget, "rg", "child")
		exact(t, dt, 12, unitDecisions, "rg", total)
		if c, _ := dt.Find(unitDecisions, "rg", total); c.Median == nil || *c.Median != 3 || c.Share == nil {
			t.Errorf("rg median and share: %+v", c)
		}

		ro := f.table(t, TableReferralOutcomes, m)
		exact(t, ro, 3, "referrals", "shelter", "MA-01", "declined")
		exact(t, ro, 1, "referrals", "shelter", "MA-01", "declined_no_capacity")
		exact(t, ro, 1, "referrals", "shelter", "MA-01", "declined_other")
		exact(t, ro, 1, "referrals", "shelter", "MA-01", "accepted")
		exact(t, ro, 4, "referrals", "shelter", "MA-01", total)
		exact(t, ro, 1, "referrals", "medical", "MA-01", "no_provider")
	})
}

// The disclosure-control tests of the first tables, run on the new ones:
// no cell of 1 or 2 records is published, an empty cell looks like a
// small one, and a release one record away from the published one is
// refused with the figures left as they were.
func TestNationalTablesDisclosureControl(t *testing.T) {
	t.Parallel()
	const m = "2026-11"
	nats := []string{"NG", "NG", "NG", "MA", "MA", "SN"}
	tests := []struct {
		table string
		base  func(i int) []facts.Event // record i of 40
		one   []facts.Event             // one more record in the table
	}{
		{TableCasesByNationality, func(i int) []facts.Event {
			r := registered(fmt.Sprintf("n%d", i), m, "MA-01", "female", ageGroups[i%2], "abroad", "ngo", "sexual")
			r.Nationalities = []string{nats[i%len(nats)]}
			switch i {
			case 0:
				r.Nationalities = []string{"GH"} // one case: never named
			case 1:
				r.Nationalities = nil // one case of unknown nationality
			}
			return []facts.Event{r}
		}, []facts.Event{registered("n-new", m, "MA-01", "female", "adult", "abroad", "ngo", "sexual")}},
		{TableResponderExploitation, func(i int) []facts.Event {
			kind, typ := orgKinds[i%3], exploitations[i%2]
			if i == 0 {
				kind, typ = "border", "begging"
			}
			return []facts.Event{registered(fmt.Sprintf("r%d", i), m, "MA-01", "male", "adult", "abroad", kind, typ)}
		}, []facts.Event{registered("r-new", m, "MA-01", "male", "adult", "abroad", "police", "labour")}},
		{TableChildren, func(i int) []facts.Event {
			es := []facts.Event{child(fmt.Sprintf("c%d", i), m, i%4 != 0)}
			if i%3 == 0 {
				es = append(es, guardian(fmt.Sprintf("c%d", i), m, i%5))
			}
			return es
		}, []facts.Event{child("c-new", m, true)}},
		{TableCasesByProtectionAge, func(i int) []facts.Event {
			statuses := []string{"refugee", "asylum_seeker", "none", "refugee"}
			st := statuses[i%len(statuses)]
			if i == 0 {
				st = "" // one case of unknown status
			}
			return []facts.Event{withProtection(registered(fmt.Sprintf("p%d", i), m, "MA-01", "female", ageGroups[i%2], "abroad", "ngo", "sexual"), st)}
		}, []facts.Event{withProtection(registered("p-new", m, "MA-01", "female", "adult", "abroad", "ngo", "sexual"), "none")}},
		{TableDecisionTimesAge, func(i int) []facts.Event {
			key, outcome := fmt.Sprintf("d%d", i), "rg_positive"
			if i < 2 {
				outcome = "cg_positive" // two conclusive decisions
			}
			return []facts.Event{registered(key, m, "MA-01", "female", ageGroups[i%2], "abroad", "ngo", "sexual"),
				decided(key, m, outcome, i%9, i%3 != 0)}
		}, []facts.Event{decided("d0", m, "cg_positive", 40, false)}},
		{TableReferralOutcomes, func(i int) []facts.Event {
			key := fmt.Sprintf("f%d", i)
			es := []facts.Event{registered(key, m, "MA-01", "female", "adult", "abroad", "ngo", "sexual")}
			switch {
			case i == 0:
				es = append(es, declined(key, "ref-"+key, m, "medical", "outside_area"))
			case i%3 == 0:
				es = append(es, declined(key, "ref-"+key, m, "shelter", declineReasons[i%2]))
			case i%3 == 1:
				es = append(es, referral(facts.ReferralAccepted, key, "ref-"+key, m, "shelter", 7200))
			default:
				es = append(es, noProvider(key, m, "shelter"))
			}
			return es
		}, []facts.Event{declined("f0", "ref-new", m, "shelter", "no_capacity")}},
	}
	// Each table on each engine gets a database of its own (a copy of the
	// migrated template) and runs beside the others.
	engines := map[string]func(testing.TB) dbtest.Engine{"sqlite": dbtest.SQLite, "postgres": dbtest.Postgres}
	for name, engine := range engines {
		for _, tc := range tests {
			t.Run(name+"-"+tc.table, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, engine(t), nil)
				var es []facts.Event
				for i := range 40 {
					es = append(es, tc.base(i)...)
				}
				f.send(t, es...) // one batch: the batching does not change what is stored
				if _, err := f.release("first", m); err != nil {
					t.Fatal(err)
				}
				before := f.table(t, tc.table, m)
				small := 0
				for _, c := range before.Cells {
					if c.Value != nil && *c.Value < int64(f.s.policy.Threshold) && *c.Value != 0 {
						t.Errorf("cell %s %v published below the threshold: %d", c.Unit, c.Dims, *c.Value)
					}
					if c.Value != nil && *c.Value == 0 {
						t.Errorf("cell %s %v published as 0", c.Unit, c.Dims)
					}
					if tc.table == TableCasesByNationality && (c.Dims[0] == nationalityOther || c.Dims[0] == "GH") {
						if c.Dims[0] == "GH" {
							t.Errorf("a nationality of one case is named")
						}
						continue
					}
					if n := f.trueCount(t, tc.table, m, append([]string{c.Unit}, c.Dims...)...); n > 0 && n <= 2 {
						small++
						if !c.Suppressed {
							t.Errorf("cell %s %v of %d records published as %s", c.Unit, c.Dims, n, value(c))
						}
					}
					if c.Median != nil {
						if p, _ := before.Find(c.Unit, c.Dims...); p.Value == nil || *p.Value < int64(f.s.policy.MedianMinCount) {
							t.Errorf("median of cell %v published on %s records", c.Dims, value(p))
						}
					}
				}
				if small == 0 {
					t.Errorf("no cell of 1 or 2 records: the test did not exercise suppression")
				}
				f.send(t, tc.one...)
				if _, err := f.release("second", m); !errors.Is(err, ErrReleaseTooSmall) {
					t.Fatalf("a release one record away: %v, want %v", err, ErrReleaseTooSmall)
				}
				sameFigures(t, "after a refused release", before, f.table(t, tc.table, m))
			})
		}
	}
}

// Every code exported with an HTCDS value uses a value name of its HTCDS
// 2.0 field (the field standards' picklists, copied here by hand).
func TestHTCDSCodesAreFieldValues(t *testing.T) {
	t.Parallel()
	values := map[string][]string{
		"vic_TypeOfExploitation": {"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
			"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption", "Surrogacy", "Other"},
		"prs_Gender": {"Feminine", "Masculine", "TransgenderFeminine", "TransgenderMasculine", "NonConforming", "NonSpecifiedUnknown"},
		"org_Type": {"NGO", "LawEnforcement", "HealthServiceOrganisation", "CentralGovernmentOrganisation",
			"LocalGovernmentOrganisation", "ImmigrationService", "LegalService", "CorporateBusiness", "SchoolOrCollege"},
		"vic_TraffickingStatus": {"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"},
	}
	for dim, codes := range htcds {
		field := htcdsFields[dim]
		for ours, theirs := range codes {
			if !slices.Contains(values[field], theirs) {
				t.Errorf("%s %s: %q is not a value of %s", dim, ours, theirs, field)
			}
		}
	}
	if HTCDSCode("nationality", "NG") != "NG" || HTCDSCode("nationality", nationalityOther) != "" {
		t.Error("nationalities are exported as ISO 3166 codes, the group without one")
	}
	b, err := CSV(Table{Name: TableReferralAcceptance, Dimensions: []string{"service", "region", "outcome"}})
	if err != nil || strings.Contains(string(b), "outcome_htcds") {
		t.Errorf("referral outcomes have no HTCDS field: %s %v", b, err)
	}
}
