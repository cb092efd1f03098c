package audit

import (
	"database/sql"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestTimeWindowPagesMatchTheLog: events out of time order (as relays
// deliver them), paged through any time window from any cursor, by either
// plan (bounded or walked), give exactly the events a scan of the log
// would, in log order.
func TestTimeWindowPagesMatchTheLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := dbtest.Open(t, e, "audit")
		r := rand.New(rand.NewPCG(4, 2))
		t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		es := make([]Entry, 400)
		for i := range es {
			at := t0.Add(time.Duration(i)*time.Minute + time.Duration(r.IntN(240)-120)*time.Minute)
			es[i] = Entry{Index: int64(i), Audit: event.Audit{ID: event.NewID(), Time: at, ActorUser: "u-" + strconv.Itoa(r.IntN(3)),
				ActorOrg: "o", ActorRole: "auditor", Action: "intake.case.read", ObjectType: "case", ObjectID: "c",
				Outcome: event.Allowed, Source: "intake", Seq: int64(i + 1)}}
		}
		if err := d.Tx(t.Context(), func(tx *sql.Tx) error { return insertEntries(t.Context(), tx, d.Engine, es) }); err != nil {
			t.Fatal(err)
		}
		for _, small := range []int64{1000, 10} { // every window bounded; large windows walked or bounded
			windowSmall, windowNear = small, 20
			t.Cleanup(func() { windowSmall, windowNear = 20_000, 50_000 })
			for range 60 {
				from := t0.Add(time.Duration(r.IntN(500)-60) * time.Minute)
				to := from.Add(time.Duration(r.IntN(300)+1) * time.Minute)
				q := Query{From: from, To: to, Limit: 1 + r.IntN(30)}
				if r.IntN(3) == 0 {
					q.Actor = "u-1"
				}
				if r.IntN(4) == 0 {
					q.To = time.Time{}
				}
				after := int64(r.IntN(420) - 10)
				q.After = &after
				got, err := queryEntries(t.Context(), d, q)
				if err != nil {
					t.Fatal(err)
				}
				var want []int64
				for _, x := range es {
					if x.Index > after && !x.Time.Before(q.From) && (q.To.IsZero() || x.Time.Before(q.To)) && (q.Actor == "" || x.ActorUser == q.Actor) {
						want = append(want, x.Index)
					}
				}
				want = want[:min(len(want), q.Limit)]
				var ids []int64
				for _, x := range got {
					ids = append(ids, x.Index)
				}
				if !slices.Equal(ids, want) {
					t.Fatalf("window %s–%s after %d (small %d): %v, want %v", q.From, q.To, after, small, ids, want)
				}
			}
		}
	})
}
