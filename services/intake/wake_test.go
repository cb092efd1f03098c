package intake_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// A consent withdrawal and a purge that revoke referral grants wake the
// relay once they have committed, with the revocation already in the
// outbox, so it reaches referral at once rather than at the next poll.
func TestIntakeRevocationsWakeTheRelay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		var wakes atomic.Int32
		var env *intaketest.Env
		var toldAtWake atomic.Int32
		env = intaketest.New(t, e, func(c *intake.Config) {
			c.WakeRelay = func() {
				wakes.Add(1)
				// Committed before the wake: the relay finds it.
				toldAtWake.Store(int32(count(t, env, `SELECT COUNT(*) FROM outbox WHERE topic = $1`, grantchange.Topic)))
			}
		})
		police, ngo := env.Org("police"), env.Org("ngo")
		officer := intaketest.Officer(police)

		c := env.Register(t, police, intaketest.Registration("Woken "+event.NewID()))
		referralGrant(t, env, police, ngo, c.ID, true)
		wakes.Store(0)
		if _, err := env.Service.RecordConsent(officer, c.ID, intake.ConsentInput{Assistance: true, NRMReferral: true}); err != nil {
			t.Fatal(err)
		}
		if wakes.Load() == 0 || toldAtWake.Load() != 1 {
			t.Fatalf("consent withdrawal: %d wakes, %d grant messages at the wake; want a wake with 1", wakes.Load(), toldAtWake.Load())
		}

		p := env.Register(t, police, intaketest.Registration("Purged "+event.NewID()))
		referralGrant(t, env, police, ngo, p.ID, true)
		if _, err := env.Service.SupportTransition(officer, p.ID, intake.TransitionRequest{To: intake.SupportClosed}); err != nil {
			t.Fatal(err)
		}
		wakes.Store(0)
		if rep, err := env.Admin.Purge(context.Background(), time.Now().AddDate(10, 0, 0)); err != nil || rep.Cases == 0 {
			t.Fatalf("purge %+v, %v", rep, err)
		}
		if wakes.Load() == 0 || toldAtWake.Load() != 2 {
			t.Fatalf("purge: %d wakes, %d grant messages at the wake; want a wake with 2", wakes.Load(), toldAtWake.Load())
		}
	})
}
