package referral

import (
	"errors"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
)

func (ev *env) sweeper(t testing.TB) *Sweeper {
	t.Helper()
	w, err := NewSweeper(ev.config())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (ev *env) status(t testing.TB, id string) Referral {
	t.Helper()
	r, err := ev.s.GetReferral(ev.officer(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDeadlinesEscalateThenHandOver follows a high-urgency referral (24 h)
// through two expiries to the coordinators' board, on a fixed clock, with a
// new service and sweeper instance (a restart) before each sweep.
func TestDeadlinesEscalateThenHandOver(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		a, b := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
		r := ev.refer(t, ev.adult("MA-06", 0), "high", a, b)
		steps := []struct {
			name    string
			advance time.Duration
			expired int
			status  string
			offers  string
		}{
			{"before the deadline nothing moves", 23*time.Hour + 59*time.Minute, 0, StatusPending, "[offered queued]"},
			{"first deadline: next candidate", time.Minute, 1, StatusPending, "[expired offered]"},
			{"sweeping again is idempotent", 0, 0, StatusPending, "[expired offered]"},
			{"second deadline: no provider", 24 * time.Hour, 1, StatusNoProvider, "[expired expired]"},
			{"nothing after the hand-over", 72 * time.Hour, 0, StatusNoProvider, "[expired expired]"},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				ev.clock.Advance(st.advance)
				ev.s = ev.service(t) // a restart: nothing kept in memory
				res, err := ev.sweeper(t).SweepOnce(t.Context(), ev.clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				got := ev.status(t, r.ID)
				if res.Expired != st.expired || got.Status != st.status || fmtList(offerStatuses(got)) != st.offers {
					t.Fatalf("expired %d, status %s, offers %v; want %d, %s, %s", res.Expired, got.Status,
						offerStatuses(got), st.expired, st.status, st.offers)
				}
			})
		}
		t.Run("expired grants revoked", func(t *testing.T) {
			for _, org := range []string{a, b} {
				if s := ev.grants.status(r.ID, org); s != intake.GrantRevoked {
					t.Errorf("grant of %s is %s", org, s)
				}
			}
		})
		t.Run("on the board as an unmet need", func(t *testing.T) {
			board, err := ev.s.Board(as(ev.police, auth.RoleCoordinator))
			if err != nil {
				t.Fatal(err)
			}
			if len(board.NoProvider) != 1 || board.NoProvider[0].ID != r.ID || len(board.UnmetNeeds) != 1 ||
				board.UnmetNeeds[0] != (UnmetNeed{Region: "MA-06", Service: "shelter", Count: 1}) {
				t.Fatalf("board %+v", board)
			}
		})
		t.Run("a late acceptance is refused", func(t *testing.T) {
			if _, err := ev.s.Accept(as(a, auth.RoleNGOCaseworker), r.ID); codeOf(err) != CodeInvalidTransition {
				t.Fatalf("late accept: %v", err)
			}
		})
	})
}

func TestEmergencyDeadlineIsTwoHours(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	a := ev.provider(t, shelter("MA-06", 5))
	r := ev.refer(t, ev.adult("MA-06", 0), "emergency", a)
	if want := ev.clock.Now().Add(2 * time.Hour); r.Deadline == nil || !r.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v", r.Deadline, want)
	}
	ev.clock.Advance(2 * time.Hour)
	if _, err := ev.s.Accept(as(a, auth.RoleNGOCaseworker), r.ID); !errors.Is(err, ErrOfferClosed) {
		t.Fatalf("accept at the deadline: %v", err)
	}
}

func fmtList(xs []string) string {
	out := "["
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
