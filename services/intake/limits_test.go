package intake_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestDuplicateCheckLimitFitsRealWork, on a clock the test moves: an
// officer registering the people found in a raid (20 within one minute,
// 60 within the hour) is never refused, while a script registering from
// one account every five seconds for an hour gets about 60 an hour
// through, and each refusal names the limit and when to retry.
func TestDuplicateCheckLimitFitsRealWork(t *testing.T) {
	t.Parallel()
	start := time.Now().UTC()
	clock := &fixedClock{t: start}
	env := intaketest.New(t, dbtest.SQLite(t), func(c *intake.Config) { c.Now = clock.Now })
	police := env.Org("police")

	t.Run("raid", func(t *testing.T) {
		officer := intaketest.Officer(police)
		for i := range 60 {
			switch {
			case i < 20:
				clock.t = start.Add(time.Duration(i) * 2 * time.Second) // 20 within 40 seconds
			default:
				clock.t = start.Add(time.Duration(i-19) * 70 * time.Second) // the other 40 before 48 minutes
			}
			if _, err := env.Service.Register(officer, intaketest.Registration(fmt.Sprintf("Raid Person %d", i))); err != nil {
				t.Fatalf("registration %d at %s: %v", i+1, clock.t.Sub(start), err)
			}
		}
	})

	t.Run("script", func(t *testing.T) {
		script := intaketest.Officer(police)
		clock.t = start
		allowed, refused := 0, 0
		for at := time.Duration(0); at < time.Hour; at += 5 * time.Second {
			clock.t = start.Add(at)
			_, err := env.Service.Register(script, intaketest.Registration("Probe "+at.String()))
			var e *kit.Error
			switch {
			case err == nil:
				allowed++
			case errors.As(err, &e) && e.Code == kit.CodeRateLimited:
				refused++
				if e.Limit != intake.LimitDuplicateChecks || e.RetryAfter <= 0 || e.RetryAfter > time.Minute {
					t.Fatalf("refusal %+v: want the limit named and a wait of at most a minute", e)
				}
			default:
				t.Fatal(err)
			}
		}
		if max := intake.DefaultDuplicateCheckBurst + intake.DefaultDuplicateChecksPerHour + 1; allowed > max {
			t.Fatalf("a script got %d registrations through in an hour (%d refused), want at most %d", allowed, refused, max)
		}
		if refused == 0 {
			t.Fatal("a script was never slowed")
		}
	})
}
