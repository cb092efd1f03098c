package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// Attack: the officer who transferred a case away has no access to it any
// more. Retrying the transfer with its key must not show them what the new
// owner made of the case since (here its route); at most the first answer.
func TestIdempotentTransferReplayShowsNoLaterState(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		r := intaketest.Registration("Keyed Transfer Later")
		r.Route = intake.RouteAssistance
		c := env.Register(t, police, r)
		keyed := idempotency.WithKey(asUser(police, auth.RoleFrontlineOfficer), "7d1f-transfer-later")
		first, err := env.Service.Transfer(keyed, c.ID, ngo.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The new owner changes the case.
		if _, err := env.Service.ChangeRoute(intaketest.Officer(ngo), c.ID, intake.RouteChange{Route: intake.RouteNRM}); err != nil {
			t.Fatalf("new owner's route change: %v", err)
		}
		again, err := env.Service.Transfer(keyed, c.ID, ngo.ID)
		if err != nil && kit.AsError(err).Status >= 500 {
			t.Fatalf("retry: %v", err)
		}
		if err == nil && again.Route != first.Route {
			t.Fatalf("the replay showed the former owner the new owner's later route %q (first answer %q)", again.Route, first.Route)
		}
		if err == nil && !again.UpdatedAt.Equal(first.UpdatedAt) {
			t.Fatalf("the replay showed a later state (updated %v, first answer %v)", again.UpdatedAt, first.UpdatedAt)
		}
		if user, _ := auth.FromContext(keyed); replaysBy(t, env, user.UserID) != 1 {
			t.Fatal("the retry, answered or refused, was not audited as a replay")
		}
	})
}

// A retried transition answers the case's tracks as they stand, a read:
// once the user has lost the case (it went to another organisation,
// which revoked what the previous owner kept) the read is denied, and
// the audit log shows no allowed replay beside it.
func TestReplayedTransitionAfterAccessEndsIsNoAllowedReplay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		r := intaketest.Registration("Keyed Support Move")
		r.Route = intake.RouteAssistance
		c := env.Register(t, police, r)
		keyed := idempotency.WithKey(asUser(police, auth.RoleFrontlineOfficer), "9c2e-support-lost")
		move := intake.TransitionRequest{To: intake.SupportSuspended}
		if _, err := env.Service.SupportTransition(keyed, c.ID, move); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.Transfer(intaketest.Officer(police), c.ID, ngo.ID); err != nil {
			t.Fatalf("transfer: %v", err)
		}
		// The previous owner keeps what it authored, a grant; the new
		// owner revokes it, and the police officer has nothing left.
		owner := intaketest.Officer(ngo)
		gs, err := env.Service.ListGrants(owner, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			if g.OrgID == police.ID {
				if err := env.Service.RevokeGrant(owner, c.ID, g.ID); err != nil {
					t.Fatalf("revoke the previous owner's grant: %v", err)
				}
			}
		}
		if _, err := env.Service.Workflow(asUser(police, auth.RoleFrontlineOfficer), c.ID); err == nil {
			t.Fatal("the previous owner still reads the case's tracks")
		}
		if _, err := env.Service.SupportTransition(keyed, c.ID, move); err == nil {
			t.Fatal("the former owner's retry was answered with the case's tracks")
		}
		user, _ := auth.FromContext(keyed)
		for _, ev := range auditEvents(t, env) {
			if ev.Action == "intake.request.replay" && ev.ActorUser == user.UserID && ev.Outcome == event.Allowed {
				t.Fatalf("an allowed replay audited for a retry whose read was denied: %+v", ev)
			}
		}
	})
}
