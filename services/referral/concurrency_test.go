package referral

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
)

const rounds = 5

// run calls f n times at once and returns the errors.
func run(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func TestConcurrentAcceptsOfOneReferral(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		for round := range rounds {
			t.Run(fmt.Sprint(round), func(t *testing.T) {
				prov := ev.provider(t, shelter("MA-06", 10))
				r := ev.refer(t, ev.adult("MA-06", 0), "normal", prov)
				errs := run(50, func(int) error {
					_, err := ev.s.Accept(as(prov, auth.RoleNGOCaseworker), r.ID)
					return err
				})
				ok, conflict := 0, 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case kit.AsError(err).Status == 409:
						conflict++
					default:
						t.Errorf("unexpected error %v", err)
					}
				}
				if ok != 1 || conflict != 49 {
					t.Fatalf("%d accepted, %d conflicts; want 1 and 49", ok, conflict)
				}
				if got := ev.used(t, prov); got != 1 {
					t.Fatalf("places taken %d, want 1", got)
				}
			})
		}
	})
}

func TestConcurrentAcceptsNeverExceedCapacity(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		for round := range rounds {
			t.Run(fmt.Sprint(round), func(t *testing.T) {
				prov := ev.provider(t, shelter("MA-06", 10))
				ids := make([]string, 100)
				for i := range ids {
					ids[i] = ev.refer(t, ev.adult("MA-06", i%3), "normal", prov).ID
				}
				errs := run(100, func(i int) error {
					_, err := ev.s.Accept(as(prov, auth.RoleNGOCaseworker), ids[i])
					return err
				})
				for _, err := range errs {
					if err != nil && !errors.Is(err, ErrNoCapacity) {
						t.Fatalf("unexpected error %v", err)
					}
				}
				used := ev.used(t, prov)
				var reserved int
				if err := ev.db.QueryRow(`SELECT COALESCE(SUM(places_reserved), 0) FROM referrals
					WHERE accepted_org = $1 AND status = 'accepted'`, prov).Scan(&reserved); err != nil {
					t.Fatal(err)
				}
				// Once a group was refused, fewer than its size (at most 3) were free.
				if used > 10 || used < 8 || reserved != used {
					t.Fatalf("places taken %d, reserved by accepted referrals %d; want 8..10 and equal", used, reserved)
				}
			})
		}
	})
}

func TestEmergencyFanOutFirstAcceptanceWins(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		for round := range rounds {
			t.Run(fmt.Sprint(round), func(t *testing.T) {
				provs := []string{ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))}
				r := ev.refer(t, ev.adult("MA-06", 0), "emergency", provs...)
				if got := offerStatuses(r); fmt.Sprint(got) != "[offered offered offered]" {
					t.Fatalf("offers %v, want three offered at once", got)
				}
				errs := run(3, func(i int) error {
					_, err := ev.s.Accept(as(provs[i], auth.RoleNGOCaseworker), r.ID)
					return err
				})
				winner := ""
				for i, err := range errs {
					if err == nil {
						if winner != "" {
							t.Fatalf("two winners")
						}
						winner = provs[i]
					} else if kit.AsError(err).Status != 409 {
						t.Fatalf("loser got %v, want 409", err)
					}
				}
				if winner == "" {
					t.Fatal("no winner")
				}
				got, err := ev.s.GetReferral(ev.officer(), r.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range got.Candidates {
					wantOffer, wantGrant := OfferWithdrawn, "revoked"
					if c.OrgID == winner {
						wantOffer, wantGrant = OfferAccepted, "active"
					}
					if c.Status != wantOffer || ev.grants.status(r.ID, c.OrgID) != wantGrant {
						t.Errorf("candidate %s: offer %s grant %s, want %s and %s", c.OrgID, c.Status,
							ev.grants.status(r.ID, c.OrgID), wantOffer, wantGrant)
					}
				}
				total := ev.used(t, provs[0]) + ev.used(t, provs[1]) + ev.used(t, provs[2])
				if total != 1 || ev.used(t, winner) != 1 {
					t.Fatalf("places taken %d in all, want 1 at the winner", total)
				}
			})
		}
	})
}
