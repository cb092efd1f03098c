package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
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
