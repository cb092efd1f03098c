package referral

import (
	"net/http"
	"slices"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestCoordinatorPlacesAnUnplacedReferral: a referral that found no
// provider is placed by the national desk with a provider that passes
// routing's filters; the grant is made on the owner's behalf and becomes
// readable only when the provider accepts. Nobody else places, nothing
// else is placed.
func TestCoordinatorPlacesAnUnplacedReferral(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		a := ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		r := ev.refer(t, caseID, "emergency", a)
		if _, err := ev.s.Decline(as(a, auth.RoleNGOCaseworker), r.ID, DeclineInput{Reason: "no_capacity"}); err != nil {
			t.Fatal(err)
		}
		b := ev.provider(t, shelter("MA-06", 3))
		far := ev.provider(t, shelter("MA-01", 3))
		coord := as(event.NewID(), auth.RoleCoordinator)

		got, err := ev.s.GetReferral(ev.officer(), r.ID)
		if err != nil || got.Status != StatusNoProvider {
			t.Fatalf("after the only decline: %v %v", got.Status, err)
		}

		t.Run("only a coordinator ranks and places", func(t *testing.T) {
			for _, ctx := range []struct {
				name string
				p    auth.Principal
			}{
				{"sender's officer", auth.Principal{UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}},
				{"provider", auth.Principal{UserID: event.NewID(), OrgID: b, Roles: []string{auth.RoleNGOCaseworker}}},
			} {
				c := auth.WithPrincipal(t.Context(), ctx.p)
				if _, err := ev.s.Place(c, r.ID, PlaceInput{OrgID: b}); kitAs(err) != http.StatusForbidden {
					t.Errorf("%s places: %v", ctx.name, err)
				}
				if _, err := ev.s.Candidates(c, r.ID); kitAs(err) != http.StatusForbidden {
					t.Errorf("%s ranks: %v", ctx.name, err)
				}
			}
		})

		t.Run("candidates come with reasons, the excluded with their filter", func(t *testing.T) {
			cands, err := ev.s.Candidates(coord, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			byOrg := map[string]Candidate{}
			for _, c := range cands {
				byOrg[c.OrgID] = c
			}
			if c := byOrg[b]; c.Rank == 0 || !slices.Contains(c.Reasons, ReasonSameRegion) {
				t.Errorf("provider in the region: %+v", c)
			}
			if c := byOrg[far]; c.Rank != 0 || !slices.Equal(c.Reasons, []string{"outside_area"}) {
				t.Errorf("provider outside the area: %+v", c)
			}
		})

		t.Run("an excluded provider is refused, naming the filter", func(t *testing.T) {
			_, err := ev.s.Place(coord, r.ID, PlaceInput{OrgID: far})
			if kitAs(err) != http.StatusBadRequest {
				t.Fatalf("placing outside the area: %v", err)
			}
			if _, err := ev.s.Place(coord, r.ID, PlaceInput{OrgID: "not-an-id"}); kitAs(err) != http.StatusBadRequest {
				t.Fatalf("placing with a bad id: %v", err)
			}
		})

		t.Run("the chosen provider is offered it and accepts", func(t *testing.T) {
			ev.grants.deliver() // the revocations of the earlier offers, before the call looked at
			before := ev.grants.count()
			placed, err := ev.s.Place(coord, r.ID, PlaceInput{OrgID: b})
			if err != nil {
				t.Fatal(err)
			}
			if placed.Status != StatusPending || placed.CaseID != "" {
				t.Fatalf("placed: status %s, case id shown %q", placed.Status, placed.CaseID)
			}
			if st := ev.grants.status(r.ID, b); st != "pending" || ev.grants.count() != before+1 {
				t.Fatalf("grant of the placed provider: %q", st)
			}
			last := ev.grants.calls[len(ev.grants.calls)-1]
			if last.op != "pending" || last.caller != "" {
				t.Fatalf("the grant was not made on the owner's behalf: %+v", last)
			}
			board, err := ev.s.Board(coord)
			if err != nil {
				t.Fatal(err)
			}
			if len(board.NoProvider) != 0 || len(board.Emergencies) != 1 || board.Emergencies[0].ID != r.ID {
				t.Fatalf("board after placing: %d unplaced, emergencies %+v", len(board.NoProvider), board.Emergencies)
			}
			acc, err := ev.s.Accept(as(b, auth.RoleNGOCaseworker), r.ID)
			if err != nil || acc.Status != StatusAccepted {
				t.Fatalf("accept: %v %v", acc.Status, err)
			}
			if st := ev.grants.status(r.ID, b); st != "active" {
				t.Fatalf("grant after acceptance: %q", st)
			}
		})

		t.Run("a referral with a provider is not placed again", func(t *testing.T) {
			if _, err := ev.s.Place(coord, r.ID, PlaceInput{OrgID: a}); kitAs(err) != http.StatusConflict {
				t.Fatalf("placing an accepted referral: %v", err)
			}
		})
	})
}
