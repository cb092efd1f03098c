package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// A registration that meets another case is told to the national desk and
// to the decision makers deciding either case, in the registration's
// transaction; the registering organisation hears nothing of it.
func TestDuplicateMatchIsTold(t *testing.T) {
	t.Parallel()
	const kind = "case.duplicate_match"
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo, authority := env.Org("police"), env.Org("ngo"), env.Org(intake.OrgKindCompetentAuthority)
		first := env.Register(t, police, intaketest.Registration("Ama Kofi Mensah"))
		if _, err := env.Service.Submit(intaketest.Officer(police), first.ID); err != nil {
			t.Fatal(err)
		}
		if ns := ofKind(outboxNotices(t, env), kind); len(ns) != 0 {
			t.Fatalf("duplicate notices before any match: %v", kindsOf(ns))
		}
		other := env.Register(t, ngo, intaketest.Registration("Someone Unrelated"))
		if ns := ofKind(outboxNotices(t, env), kind); len(ns) != 0 {
			t.Fatalf("duplicate notices without a match: %v", kindsOf(ns))
		}
		second, err := env.Service.Register(intaketest.As(ngo, auth.RoleNGOCaseworker), intaketest.Registration("Ama Kofi Mensah"))
		if err != nil {
			t.Fatal(err)
		}
		ns := ofKind(outboxNotices(t, env), kind)
		tests := []struct {
			name      string
			org, role string
			want      int
		}{
			{"national desk", "", notice.RoleNationalDesk, 1},
			{"deciding authority's decision makers", authority.ID, auth.RoleDecisionMaker, 1},
			{"registering organisation", ngo.ID, "", 0},
			{"first case's owner", police.ID, "", 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := 0
				for _, n := range ns {
					if n.Org != tt.org || tt.role != "" && n.Role != tt.role {
						continue
					}
					got++
					if n.ObjectID != second.ID || n.User != "" || n.Detail != intake.StrengthNameAndYear {
						t.Fatalf("notice %+v: want the new case, no user, the strength", n)
					}
				}
				if got != tt.want {
					t.Fatalf("%d notices to %s/%s, want %d (all: %+v)", got, tt.org, tt.role, tt.want, ns)
				}
			})
		}
		for _, n := range ns {
			if n.ObjectID == other.ID {
				t.Fatalf("a notice about the unrelated case: %+v", n)
			}
		}
	})
}

// ofKind keeps the notices of kind, whoever they are addressed to.
func ofKind(ns []notice.Notice, kind string) []notice.Notice {
	var out []notice.Notice
	for _, n := range ns {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}
