package intake_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// shape is a response with everything that differs between any two
// registrations (ids, references, times, who) blanked out.
func shape(t *testing.T, c intake.Case) map[string]any {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "reference", "owner_org", "registered_by", "created_at", "updated_at"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("response has no %s", k)
		}
		m[k] = "-"
	}
	consents, _ := m["consents"].([]any)
	for _, c := range consents {
		r := c.(map[string]any)
		r["id"], r["recorded_by"], r["recorded_org"], r["recorded_at"] = "-", "-", "-", "-"
	}
	return m
}

func TestDuplicateAcrossScriptsAndOrganisations(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo, desk := env.Org("police"), env.Org("ngo"), env.Org("commission")

		arabic := intaketest.Registration("فاطمة الزهراء الإدريسي")
		arabic.Identity.DateOfBirth = "1998-03-01"
		first := env.Register(t, police, arabic)

		unrelated := intaketest.Registration("Samira Benali")
		unrelated.Identity.DateOfBirth = "1998-07-07"
		noMatch, err := env.Service.Register(intaketest.Officer(ngo), unrelated)
		if err != nil {
			t.Fatal(err)
		}
		french := intaketest.Registration("Fatéma-Zohra Idrissi")
		french.Identity.DateOfBirth = "1998-11-30"
		match, err := env.Service.Register(intaketest.Officer(ngo), french)
		if err != nil {
			t.Fatal(err)
		}
		// The registering officer cannot tell: same status, same fields.
		if !reflect.DeepEqual(shape(t, noMatch), shape(t, match)) {
			t.Fatalf("a match changes the officer's response:\n%v\n%v", shape(t, noMatch), shape(t, match))
		}
		for _, c := range []intake.Case{noMatch, match} {
			if ev, ok := lastAudit(t, env, "intake.duplicate.check", c.ID); !ok || ev.Outcome != "allowed" {
				t.Fatalf("duplicate check of %s not audited the same way", c.ID)
			}
		}

		page, err := env.Service.Duplicates(intaketest.As(desk, auth.RoleCoordinator), intake.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Duplicates) != 1 {
			t.Fatalf("coordinator sees %d duplicates, want 1: %+v", len(page.Duplicates), page.Duplicates)
		}
		d := page.Duplicates[0]
		if d.CaseOrg != match.OwnerOrg || d.MatchesOrg != first.OwnerOrg || d.Strength != intake.StrengthNameAndYear {
			t.Fatalf("duplicate = %+v", d)
		}
		if pairs := storedDuplicates(t, env); pairs[[2]string{match.ID, first.ID}] != intake.StrengthNameAndYear {
			t.Fatalf("stored duplicates %v, want %s meeting %s", pairs, match.ID, first.ID)
		}
		if _, err := env.Service.Duplicates(intaketest.As(police, auth.RoleDecisionMaker), intake.ListQuery{}); err != nil {
			t.Fatalf("decision maker: %v", err)
		}
		_, err = env.Service.Duplicates(intaketest.Officer(ngo), intake.ListQuery{})
		wantErr(t, err, kit.ErrForbidden)
	})
}

// The year rules hold whether the cases were registered one by one or
// together, in one group commit (where each meets the ones before it).
func TestDuplicateYearRules(t *testing.T) {
	t.Parallel()
	for _, together := range []bool{false, true} {
		name := map[bool]string{false: "one_by_one", true: "one_group"}[together]
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				env := intaketest.New(t, e)
				officer := intaketest.Officer(env.Org("police"))
				desk := intaketest.As(env.Org("commission"), auth.RoleCoordinator)
				var regs []intake.Registration
				for _, p := range []struct{ name, dob string }{
					{"Youssef Amrani", ""}, {"Youssouf Amrani", "1990"}, {"Youssef Amrani", "1985-01-01"},
				} {
					r := intaketest.Registration(p.name)
					r.Identity.DateOfBirth = p.dob
					regs = append(regs, r)
				}
				cases := make([]intake.Case, len(regs))
				if together {
					var errs []error
					cases, errs = intake.RegisterGroup(env.Service, []context.Context{officer, officer, officer}, regs, -1)
					for _, err := range errs {
						if err != nil {
							t.Fatal(err)
						}
					}
				} else {
					for i, r := range regs {
						var err error
						if cases[i], err = env.Service.Register(officer, r); err != nil {
							t.Fatal(err)
						}
					}
				}
				noYear, withYear, otherYear := cases[0], cases[1], cases[2]
				if _, err := env.Service.Duplicates(desk, intake.ListQuery{}); err != nil {
					t.Fatal(err)
				}
				got := storedDuplicates(t, env)
				want := map[[2]string]string{
					{withYear.ID, noYear.ID}:  intake.StrengthNameOnly,
					{otherYear.ID, noYear.ID}: intake.StrengthNameOnly,
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("duplicates = %v, want %v (different known years never match)", got, want)
				}
			})
		})
	}
}

func TestDuplicateCheckRateLimited(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t), func(c *intake.Config) { c.DuplicateChecksPerMinute = 2 })
	police := env.Org("police")
	officer := intaketest.Officer(police)
	for range 2 {
		if _, err := env.Service.Register(officer, intaketest.Registration("Limited Person")); err != nil {
			t.Fatal(err)
		}
	}
	before := count(t, env, `SELECT COUNT(*) FROM cases`)
	_, err := env.Service.Register(officer, intaketest.Registration("Limited Person"))
	wantErr(t, err, kit.ErrRateLimited)
	if count(t, env, `SELECT COUNT(*) FROM cases`) != before {
		t.Fatal("a refused registration left a case behind")
	}
	if _, err := env.Service.Register(intaketest.Officer(police), intaketest.Registration("Other Officer")); err != nil {
		t.Fatalf("another officer is limited too: %v", err)
	}
}
