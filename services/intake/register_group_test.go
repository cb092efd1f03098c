package intake_test

import (
	"context"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// Registrations that arrive together are committed in one transaction.
// Each must come out as if registered alone: its own reference, sections
// its organisation reads back, its audit events; and a person registered
// twice within one group is found as a duplicate.
func TestRegistrationGroup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		person := func(name, dob string) intake.Registration {
			r := intaketest.Registration(name)
			r.Identity.DateOfBirth = dob
			return r
		}
		orgs := []intake.OrgInfo{police, ngo, ngo, police}
		regs := []intake.Registration{
			person("Amina Tazi", "1990-01-01"), person("Samir Alaoui", "1985-06-06"),
			person("Amina Tazi", "1990-05-05"), person("Youssef Haddad", "2001-02-02"),
		}
		ctxs := make([]context.Context, len(regs))
		for i, o := range orgs {
			ctxs[i] = intaketest.Officer(o)
		}
		cases, errs := intake.RegisterGroup(env.Service, ctxs, regs, -1)
		refs := map[string]bool{}
		for i, c := range cases {
			if errs[i] != nil {
				t.Fatalf("registration %d: %v", i, errs[i])
			}
			if refs[c.Reference] {
				t.Fatalf("reference %s given twice", c.Reference)
			}
			refs[c.Reference] = true
			got, err := env.Service.Get(ctxs[i], c.ID)
			if err != nil {
				t.Fatalf("owner reads case %d: %v", i, err)
			}
			if name := identityOf(t, got).FullName; name != regs[i].Identity.FullName {
				t.Fatalf("case %d reads back %q, want %q", i, name, regs[i].Identity.FullName)
			}
			if ev, ok := lastAudit(t, env, "intake.case.register", c.ID); !ok || ev.Outcome != "allowed" {
				t.Fatalf("registration %d not audited", i)
			}
			if _, err := env.Service.Get(ctxs[(i+1)%len(ctxs)], c.ID); orgs[(i+1)%len(orgs)] != orgs[i] && err == nil {
				t.Fatalf("case %d read by another organisation", i)
			}
		}
		page, err := env.Service.Duplicates(intaketest.As(env.Org("commission"), auth.RoleCoordinator), intake.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Duplicates) != 1 {
			t.Fatalf("%d duplicates, want 1: %+v", len(page.Duplicates), page.Duplicates)
		}
		if got := storedDuplicates(t, env); len(got) != 1 || got[[2]string{cases[2].ID, cases[0].ID}] != intake.StrengthNameAndYear {
			t.Fatalf("duplicates = %v, want case 2 meeting case 0 by name and year", got)
		}
	})
}

// A registration of a group that cannot be written fails alone: the
// others are written, and nothing of it is.
func TestRegistrationGroupFailsAlone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		regs := []intake.Registration{
			intaketest.Registration("First Person"), intaketest.Registration("Second Person"), intaketest.Registration("Third Person"),
		}
		ctxs := []context.Context{intaketest.Officer(police), intaketest.Officer(police), intaketest.Officer(police)}
		cases, errs := intake.RegisterGroup(env.Service, ctxs, regs, 2)
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("the others failed with it: %v, %v", errs[0], errs[1])
		}
		if errs[2] == nil {
			t.Fatal("a registration reusing a reference was written")
		}
		if n := count(t, env, `SELECT count(*) FROM cases`); n != 2 {
			t.Fatalf("%d cases stored, want 2", n)
		}
		if n := count(t, env, `SELECT count(*) FROM sections`); n != 8 {
			t.Fatalf("%d sections stored, want the 8 of the two cases", n)
		}
		for i := range 2 {
			if _, ok := lastAudit(t, env, "intake.case.register", cases[i].ID); !ok {
				t.Fatalf("registration %d not audited", i)
			}
			if _, err := env.Service.Get(ctxs[i], cases[i].ID); err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
		}
		registered := 0
		for _, ev := range auditEvents(t, env) {
			if ev.Action == "intake.case.register" {
				registered++
			}
		}
		if registered != 2 {
			t.Fatalf("%d registrations audited, want 2", registered)
		}
	})
}

// A rotation between the wrapping of a group and its write: the group's
// wraps were made for the key the rotation retired, so they are made again
// for the active key, under its share lock, as the group is written.
// Nothing is left wrapped for the retired key, which a rekey would then
// destroy.
func TestRegistrationGroupAfterRotation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		env.Register(t, police, intaketest.Registration("Before Rotation")) // the key exists
		officer := intaketest.Officer(police)
		regs := []intake.Registration{intaketest.Registration("Group One"), intaketest.Registration("Group Two")}
		cases, errs := intake.RegisterGroupAfter(env.Service, []context.Context{officer, officer}, regs, -1, func() {
			if _, err := env.Admin.RotateOrg(context.Background(), police.ID); err != nil {
				t.Fatalf("rotate: %v", err)
			}
		})
		for i, c := range cases {
			if errs[i] != nil {
				t.Fatalf("registration %d: %v", i, errs[i])
			}
			if n := count(t, env, `SELECT count(*) FROM wraps w JOIN org_keys k ON k.org_id = w.org_id AND k.version = w.key_version
				WHERE w.case_id = $1 AND k.state = 'active'`, c.ID); n != 1 {
				t.Fatalf("case %d has %d wraps for the active key, want 1", i, n)
			}
			got, err := env.Service.Get(officer, c.ID)
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			if name := identityOf(t, got).FullName; name != regs[i].Identity.FullName {
				t.Fatalf("case %d reads back %q", i, name)
			}
		}
		if n := count(t, env, `SELECT count(*) FROM cases`); n != 3 {
			t.Fatalf("%d cases, want 3", n)
		}
	})
}
