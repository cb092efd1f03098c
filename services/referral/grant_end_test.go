package referral

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// TestServiceEndEndsTheGrant: when the accepted provider's service ends
// (completed, or the person left) intake is told to end its grant, once.
func TestServiceEndEndsTheGrant(t *testing.T) {
	t.Parallel()
	for _, end := range []string{"complete", "left"} {
		t.Run(end, func(t *testing.T) {
			ev := newEnv(t, dbtest.SQLite(t))
			a := ev.provider(t, shelter("MA-06", 5))
			r := ev.refer(t, ev.adult("MA-06", 0), "normal", a)
			cw := as(a, auth.RoleNGOCaseworker)
			last := ev.s.Complete
			if end == "left" {
				last = ev.s.Leave
			}
			for _, step := range []func() (Referral, error){
				func() (Referral, error) { return ev.s.Accept(cw, r.ID) },
				func() (Referral, error) { return ev.s.Arrive(cw, r.ID) },
				func() (Referral, error) { return last(cw, r.ID) },
			} {
				if _, err := step(); err != nil {
					t.Fatal(err)
				}
			}
			ev.grants.mu.Lock()
			defer ev.grants.mu.Unlock()
			n := 0
			for _, c := range ev.grants.calls {
				if c.op == "end" {
					n++
					if c.org != a {
						t.Fatalf("ended the grant of %s, want the provider %s", c.org, a)
					}
				}
			}
			if n != 1 {
				t.Fatalf("%d grant ends, want 1", n)
			}
		})
	}
}
