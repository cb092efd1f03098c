package intake_test

import (
	"context"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// storedDuplicates returns the recorded matches, (later case, matched
// case) -> strength, as the database holds them.
func storedDuplicates(t testing.TB, env *intaketest.Env) map[[2]string]string {
	t.Helper()
	rows, err := env.DB.QueryContext(context.Background(), `SELECT case_id, matches_id, strength FROM duplicates`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]string]string{}
	for rows.Next() {
		var a, b, s string
		if err := rows.Scan(&a, &b, &s); err != nil {
			t.Fatal(err)
		}
		out[[2]string{a, b}] = s
	}
	return out
}

// TestDuplicatesShowNoForeignCaseIDs replays issue 18's finding: a
// coordinator saw other organisations' case ids in the duplicates list.
// Over HTTP, on both engines: the list and the confirmation show the
// owning organisations, and a case id only to a caller whose organisation
// may see that case.
func TestDuplicatesShowNoForeignCaseIDs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		desk := w.env.Org(intake.OrgKindCompetentAuthority)
		name := "Twice Registered " + event.NewID()
		first := w.env.Register(t, w.owner, intaketest.Registration(name))
		later := w.env.Register(t, w.other, intaketest.Registration(name))
		list := func(t *testing.T, tok string) map[string]any {
			t.Helper()
			got := call(t, w.srv, tok, "GET", "/api/v1/duplicates", nil)
			ds, _ := got.decoded["duplicates"].([]any)
			if got.status != 200 || len(ds) != 1 {
				t.Fatalf("duplicates: %d, %d listed", got.status, len(ds))
			}
			return ds[0].(map[string]any)
		}
		tests := []struct {
			name           string
			org            intake.OrgInfo
			role           string
			later, earlier bool // which case ids the caller may see
		}{
			{"coordinator of the referral desk", desk, auth.RoleCoordinator, false, false},
			{"decision maker of the authority", w.authority, auth.RoleDecisionMaker, false, false},
			{"decision maker of the first case's owner", w.owner, auth.RoleDecisionMaker, false, true},
			{"coordinator of the later case's owner", w.other, auth.RoleCoordinator, true, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d := list(t, w.token(t, tc.org, tc.role))
				if d["case_org"] != w.other.ID || d["matches_org"] != w.owner.ID {
					t.Fatalf("owning organisations %v, %v; want %s, %s", d["case_org"], d["matches_org"], w.other.ID, w.owner.ID)
				}
				if got, want := d["case_id"] == later.ID, tc.later; got != want || !want && d["case_id"] != nil {
					t.Fatalf("case_id %v shown to %s", d["case_id"], tc.name)
				}
				if got, want := d["matches_id"] == first.ID, tc.earlier; got != want || !want && d["matches_id"] != nil {
					t.Fatalf("matches_id %v shown to %s", d["matches_id"], tc.name)
				}
			})
		}
		t.Run("confirming shows no more", func(t *testing.T) {
			id := list(t, w.token(t, desk, auth.RoleCoordinator))["id"].(string)
			got := call(t, w.srv, w.token(t, desk, auth.RoleCoordinator), "POST", "/api/v1/duplicates/"+id+"/confirm",
				map[string]bool{"same_person": true})
			if got.status != 200 || got.decoded["case_id"] != nil || got.decoded["matches_id"] != nil {
				t.Fatalf("confirmation: %d %v", got.status, got.decoded)
			}
		})
	})
}
