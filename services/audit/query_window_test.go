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
// deliver them, some hours late), paged through any time window from any
// cursor, give exactly the events a scan of the log would, in log order,
// whether the window's bounds come from block summaries or from the last
// events alone, and as the log grows between queries.
func TestTimeWindowPagesMatchTheLog(t *testing.T) {
	for _, size := range []int64{1024, 16, 5} {
		t.Run(strconv.FormatInt(size, 10), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) { windowPages(t, e, size) })
		})
	}
}

func windowPages(t *testing.T, e dbtest.Engine, size int64) {
	blockSize = size
	t.Cleanup(func() { blockSize = 1024 })
	d := dbtest.Open(t, e, "audit")
	r := rand.New(rand.NewPCG(4, uint64(size)))
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	es := make([]Entry, 400)
	for i := range es {
		at := t0.Add(time.Duration(i)*time.Minute + time.Duration(r.IntN(240)-120)*time.Minute)
		if r.IntN(50) == 0 {
			at = at.Add(-time.Duration(r.IntN(600)) * time.Minute) // delivered hours late
		}
		es[i] = Entry{Index: int64(i), Audit: event.Audit{ID: event.NewID(), Time: at, ActorUser: "u-" + strconv.Itoa(r.IntN(3)),
			ActorOrg: "o", ActorRole: "auditor", Action: "intake.case.read", ObjectType: "case", ObjectID: "c",
			Outcome: event.Allowed, Source: "intake", Seq: int64(i + 1)}}
	}
	for _, part := range [][2]int{{0, 250}, {250, 251}, {251, 400}} {
		stored := es[part[0]:part[1]]
		if err := d.Tx(t.Context(), func(tx *sql.Tx) error { return insertEntries(t.Context(), tx, d.Engine, stored) }); err != nil {
			t.Fatal(err)
		}
		logged := es[:part[1]]
		for range 40 {
			from := t0.Add(time.Duration(r.IntN(500)-60) * time.Minute)
			to := from.Add(time.Duration(r.IntN(300)+1) * time.Minute)
			q := Query{From: from, To: to, Limit: 1 + r.IntN(30)}
			if r.IntN(2) == 0 {
				q.Limit = 500 // the whole window: its far end too
			}
			if r.IntN(3) == 0 {
				q.Actor = "u-1"
			}
			switch r.IntN(5) {
			case 0:
				q.To = time.Time{}
			case 1:
				q.From = time.Time{}
			}
			after := int64(r.IntN(420) - 10)
			q.After = &after
			got, err := queryEntries(t.Context(), d, q)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, x := range logged {
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
				t.Fatalf("blocks of %d, %d events, window %s–%s after %d: %v, want %v", size, len(logged), q.From, q.To, after, ids, want)
			}
		}
	}
}
