package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// These tests run the production path: events committed in the identity
// service's outbox, the outbox relay, and the audit log behind it.

const emitterService = "identity"

// emitter is the service whose transactions carry audit events.
type emitter struct {
	e   dbtest.Engine
	db  *db.DB
	out *outbox.Outbox
	ids []string // every committed event id, in commit order
}

func newEmitter(tb testing.TB, e dbtest.Engine) *emitter {
	tb.Helper()
	return &emitter{e: e, db: dbtest.Open(tb, e, emitterService), out: outbox.New(emitterService)}
}

// commit commits one transaction holding n audit events. The action is
// not a read, so the bulk-read detector adds no entries of its own.
func (em *emitter) commit(tb testing.TB, n int) {
	tb.Helper()
	evs := make([]event.Audit, n)
	for i := range evs {
		k := len(em.ids) + i
		evs[i] = event.Audit{
			ID: event.NewID(), Time: time.Now().UTC(), ActorUser: "u-" + strconv.Itoa(k%7), ActorOrg: "org-1",
			ActorRole: "org_admin", Action: "identity.user.update", ObjectType: "user",
			ObjectID: "u-" + strconv.Itoa(k), Outcome: event.Allowed, RequestID: "req-" + strconv.Itoa(k),
		}
	}
	ctx := context.Background()
	if err := em.db.Tx(ctx, func(tx *sql.Tx) error { return em.out.Audit(ctx, tx, evs...) }); err != nil {
		tb.Fatalf("commit: %v", err)
	}
	for _, ev := range evs {
		em.ids = append(em.ids, ev.ID)
	}
}

// admin opens the emitter's database with full rights, as an operator (or
// an intruder) would, bypassing the service.
func (em *emitter) admin(t *testing.T) *sql.DB {
	t.Helper()
	var (
		a   *sql.DB
		err error
	)
	if em.e.Name == db.Postgres {
		a, err = sql.Open("postgres", em.e.AdminURL+"&options=-c%20search_path%3D"+emitterService)
	} else {
		a, err = sql.Open("sqlite", "file:"+filepath.Join(em.e.Config.DataDir, emitterService+".db")+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// refuseMarking makes the relay's "mark delivered" statement fail until
// the returned function is called.
func (em *emitter) refuseMarking(t *testing.T) (restore func()) {
	t.Helper()
	a := em.admin(t)
	stmts := []string{`CREATE TRIGGER refuse_mark BEFORE UPDATE OF delivered ON outbox_seq
		BEGIN SELECT RAISE(ABORT, 'marking refused'); END`}
	undo := `DROP TRIGGER refuse_mark`
	if em.e.Name == db.Postgres {
		stmts = []string{
			`CREATE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$
			 BEGIN RAISE EXCEPTION 'marking refused'; END $$`,
			`CREATE TRIGGER refuse_mark BEFORE UPDATE OF delivered ON outbox_seq
			 FOR EACH ROW EXECUTE FUNCTION refuse_mark()`,
		}
		undo = `DROP TRIGGER refuse_mark ON outbox_seq`
	}
	for _, s := range stmts {
		if _, err := a.Exec(s); err != nil {
			t.Fatalf("refuse marking: %v", err)
		}
	}
	return func() {
		t.Helper()
		if _, err := a.Exec(undo); err != nil {
			t.Fatalf("restore marking: %v", err)
		}
	}
}

func (em *emitter) undelivered(tb testing.TB) int {
	tb.Helper()
	var n int
	if err := em.db.QueryRow(`SELECT COUNT(*) FROM outbox
		WHERE seq IS NULL OR seq > COALESCE((SELECT s.delivered FROM outbox_seq s WHERE s.topic = outbox.topic), 0)`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// receiver is the production handler (cmd/nrm auditReceiver): a malformed
// event is flagged as a gap by the log and does not block the outbox.
func receiver(l *Log) outbox.Handler {
	return func(ctx context.Context, msgs []outbox.Message) error {
		if err := l.Append(ctx, msgs); err != nil && !errors.Is(err, ErrInvalidEvent) {
			return err
		}
		return nil
	}
}

func newRelay(em *emitter, h outbox.Handler, opts outbox.RelayOptions) *outbox.Relay {
	return outbox.NewRelay(em.db, emitterService, map[string]outbox.Handler{event.TopicAudit: h}, opts)
}

// run runs r until the test ends.
func run(t *testing.T, r *outbox.Relay) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("relay: %v", err)
		}
	})
}

// eventually polls cond until it holds, failing the test after a
// deadline far beyond any expected delay.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// storedCounts returns how many log entries carry each of the emitter's
// event ids.
func storedCounts(tb testing.TB, f *fixture) map[string]int {
	tb.Helper()
	rows, err := f.db.Query(`SELECT id, COUNT(*) FROM events WHERE source = $1 GROUP BY id`, emitterService)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			id string
			n  int
		)
		if err := rows.Scan(&id, &n); err != nil {
			tb.Fatal(err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkStoredOnce fails unless the log holds each of want exactly once and
// no other event of the emitter.
func checkStoredOnce(t *testing.T, f *fixture, want []string) {
	t.Helper()
	got := storedCounts(t, f)
	for _, id := range want {
		if got[id] != 1 {
			t.Errorf("event %s stored %d times, want once", id, got[id])
		}
	}
	if len(got) != len(want) {
		t.Errorf("log holds %d events of %s, want %d", len(got), emitterService, len(want))
	}
}

// gapsFlagged returns the gaps in the gaps table as "source:first-last",
// checking that each has its audit.gap_detected event in the log.
func gapsFlagged(t *testing.T, f *fixture) []string {
	t.Helper()
	rows, err := f.db.Query(`SELECT source, first_seq, last_seq, event_id FROM gaps ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var (
			src, id     string
			first, last int64
		)
		if err := rows.Scan(&src, &first, &last, &id); err != nil {
			t.Fatal(err)
		}
		g := fmt.Sprintf("%s:%d-%d", src, first, last)
		e, err := entryByID(f.ctx, f.db, id)
		if err != nil || e.Action != ActionGapDetected || e.ObjectID != g || e.Source != ownSource {
			t.Errorf("gap %s: event %+v (%v), want an %s event for it", g, e, err, ActionGapDetected)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkVerifies(t *testing.T, f *fixture) {
	t.Helper()
	rep, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if n := f.size(t); rep.Size != n || n == 0 {
		t.Errorf("Verify checked %d entries of %d", rep.Size, n)
	}
}

var errStopped = errors.New("relay process stopped")

func TestDeliveryResumesAfterRelayStops(t *testing.T) {
	t.Parallel()
	const batch, total = 4, 20
	cases := []struct {
		name string
		// stored: the log committed the batch in flight before the relay
		// stopped, so the next relay delivers it again.
		stored bool
	}{
		{"stopped after the log stored the batch, before it was marked", true},
		{"stopped before the log stored the batch", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				f := newFixture(t, e, nil)
				em := newEmitter(t, e)
				em.commit(t, 7)
				em.commit(t, total-7)

				ctx, stop := context.WithCancel(context.Background())
				calls := 0 // the handler runs on the relay's goroutine only
				first := newRelay(em, func(hctx context.Context, msgs []outbox.Message) error {
					if calls++; calls == 1 {
						return f.log.Append(hctx, msgs)
					}
					stop()
					if tc.stored {
						if err := f.log.Append(hctx, msgs); err != nil {
							return err
						}
					}
					return errStopped
				}, outbox.RelayOptions{BatchSize: batch, PollInterval: 10 * time.Millisecond})
				done := make(chan error, 1)
				go func() { done <- first.Run(ctx) }()
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("first relay: %v", err)
					}
				case <-time.After(60 * time.Second):
					stop()
					t.Fatal("the first relay did not stop")
				}
				wantStored := batch
				if tc.stored {
					wantStored = 2 * batch
				}
				if got := len(storedCounts(t, f)); got != wantStored {
					t.Fatalf("log holds %d events when the relay stopped, want %d", got, wantStored)
				}
				if got := em.undelivered(t); got != total-batch {
					t.Fatalf("%d messages undelivered when the relay stopped, want %d", got, total-batch)
				}
				dupBefore := testutil.ToFloat64(f.log.metrics.duplicates)

				run(t, newRelay(em, receiver(f.log), outbox.RelayOptions{
					BatchSize: batch, PollInterval: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}))
				eventually(t, "the outbox is delivered", func() bool { return em.undelivered(t) == 0 })

				checkStoredOnce(t, f, em.ids)
				wantDup := 0.0
				if tc.stored {
					wantDup = batch
				}
				if got := testutil.ToFloat64(f.log.metrics.duplicates) - dupBefore; got != wantDup {
					t.Errorf("log saw %v duplicate deliveries after the restart, want %v", got, wantDup)
				}
				if g := gapsFlagged(t, f); len(g) != 0 {
					t.Errorf("gaps flagged %v, want none", g)
				}
				checkVerifies(t, f)
			})
		})
	}
}

// backlog reads the relay's nrm_outbox_backlog_messages for the audit
// topic, -1 before the relay first reports it.
func backlog(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "nrm_outbox_backlog_messages" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["service"] == emitterService && labels["topic"] == event.TopicAudit {
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

var errAuditDown = errors.New("audit service unavailable")

func TestDeliveryWaitsOutAuditOutage(t *testing.T) {
	t.Parallel()
	const rounds, per = 5, 6
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		em := newEmitter(t, e)
		reg := prometheus.NewRegistry()
		var down, refused atomic.Bool
		down.Store(true)
		deliver := receiver(f.log)
		r := newRelay(em, func(ctx context.Context, msgs []outbox.Message) error {
			if down.Load() {
				refused.Store(true)
				return errAuditDown
			}
			return deliver(ctx, msgs)
		}, outbox.RelayOptions{BatchSize: 8, PollInterval: 10 * time.Millisecond, ObserveEvery: 10 * time.Millisecond,
			MaxBackoff: 50 * time.Millisecond, Registerer: reg})
		run(t, r)

		for i := range rounds {
			em.commit(t, per)
			r.Notify()
			want := float64(per * (i + 1))
			eventually(t, fmt.Sprintf("the backlog reads %v", want), func() bool { return backlog(t, reg) == want })
		}
		if !refused.Load() {
			t.Fatal("the relay never called the audit service while it was down")
		}
		if n := len(storedCounts(t, f)); n != 0 {
			t.Fatalf("log holds %d events while the audit service is down", n)
		}

		down.Store(false)
		eventually(t, "the backlog drains", func() bool { return backlog(t, reg) == 0 })
		checkStoredOnce(t, f, em.ids)
		if g := gapsFlagged(t, f); len(g) != 0 {
			t.Errorf("gaps flagged %v, want none", g)
		}
		checkVerifies(t, f)
	})
}

func TestRedeliveryStoredOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		em := newEmitter(t, e)
		em.commit(t, 5)
		var batches [][]outbox.Message
		deliver := receiver(f.log)
		r := newRelay(em, func(ctx context.Context, msgs []outbox.Message) error {
			batches = append(batches, msgs)
			return deliver(ctx, msgs)
		}, outbox.RelayOptions{})

		// The log stores the batch, then the relay cannot mark it delivered.
		restore := em.refuseMarking(t)
		if n, err := r.DeliverOnce(f.ctx); err == nil || n != 0 {
			t.Fatalf("DeliverOnce = %d, %v; want the marking to fail", n, err)
		}
		restore()
		if got := em.undelivered(t); got != 5 {
			t.Fatalf("%d messages undelivered after the failed marking, want 5", got)
		}
		if n, err := r.DeliverOnce(f.ctx); err != nil || n != 5 {
			t.Fatalf("DeliverOnce = %d, %v; want the 5 messages delivered again", n, err)
		}
		if len(batches) != 2 || !sameIDs(batches[0], batches[1]) {
			t.Fatalf("batches delivered %d, want the same batch twice", len(batches))
		}
		// And once more by hand, as a second relay replica might.
		if err := f.log.Append(f.ctx, batches[0]); err != nil {
			t.Fatalf("Append again: %v", err)
		}
		checkStoredOnce(t, f, em.ids)
		if got := testutil.ToFloat64(f.log.metrics.duplicates); got != 10 {
			t.Errorf("duplicate deliveries counted %v, want 10", got)
		}
		if g := gapsFlagged(t, f); len(g) != 0 {
			t.Errorf("gaps flagged %v, want none", g)
		}
		checkVerifies(t, f)
	})
}

func sameIDs(a, b []outbox.Message) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Seq != b[i].Seq {
			return false
		}
	}
	return true
}

func TestDeletedOutboxRowFlaggedAsGap(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		deleted []int64 // sequence numbers removed before delivery
		later   int     // events committed after the first delivery
		want    string
	}{
		{"first", []int64{1}, 0, "identity:1-1"},
		{"two in the middle", []int64{3, 4}, 0, "identity:3-4"},
		{"last, found with the next event", []int64{6}, 1, "identity:6-6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				f := newFixture(t, e, nil)
				em := newEmitter(t, e)
				em.commit(t, 6)
				// The log is unreachable for a while: the relay numbers the
				// messages but cannot deliver them. They are then removed.
				down := newRelay(em, func(context.Context, []outbox.Message) error { return errors.New("log unreachable") },
					outbox.RelayOptions{})
				if _, err := down.DeliverOnce(f.ctx); err == nil {
					t.Fatal("delivery to an unreachable log succeeded")
				}
				a := em.admin(t)
				for _, seq := range tc.deleted {
					if res, err := a.Exec(`DELETE FROM outbox WHERE seq = $1`, seq); err != nil {
						t.Fatalf("delete seq %d: %v", seq, err)
					} else if n, _ := res.RowsAffected(); n != 1 {
						t.Fatalf("delete seq %d removed %d rows", seq, n)
					}
				}
				// Past the unreachable relay's backoff.
				later := func() time.Time { return time.Now().Add(time.Hour) }
				r := newRelay(em, receiver(f.log), outbox.RelayOptions{Now: later})
				if _, err := r.DeliverOnce(f.ctx); err != nil {
					t.Fatalf("DeliverOnce: %v", err)
				}
				if tc.later > 0 {
					if g := gapsFlagged(t, f); len(g) != 0 {
						t.Errorf("gaps flagged %v before a later event arrived, want none", g)
					}
					em.commit(t, tc.later)
					if _, err := r.DeliverOnce(f.ctx); err != nil {
						t.Fatalf("DeliverOnce: %v", err)
					}
				}
				if got := em.undelivered(t); got != 0 {
					t.Fatalf("%d messages undelivered, want 0", got)
				}
				var want []string
				for i, id := range em.ids {
					if !slices.Contains(tc.deleted, int64(i+1)) {
						want = append(want, id)
					}
				}
				checkStoredOnce(t, f, want)
				if g := gapsFlagged(t, f); len(g) != 1 || g[0] != tc.want {
					t.Errorf("gaps flagged %v, want [%s]", g, tc.want)
				}
				checkVerifies(t, f)
			})
		})
	}
}

// BenchmarkRelayIntoAudit delivers a backlog of b.N committed audit events
// from an outbox into the log, with the production batch size, and reports
// the delivery rate. Filling the outbox is not timed.
func BenchmarkRelayIntoAudit(b *testing.B) {
	benchEngines(b, func(b *testing.B, e dbtest.Engine) {
		f := newFixtureTB(b, e)
		em := newEmitter(b, e)
		for left := b.N; left > 0; left -= 256 {
			em.commit(b, min(left, 256))
		}
		r := newRelay(em, receiver(f.log), outbox.RelayOptions{})
		b.ResetTimer()
		for delivered := 0; delivered < b.N; {
			n, err := r.DeliverOnce(f.ctx)
			if err != nil {
				b.Fatalf("DeliverOnce: %v", err)
			}
			if n == 0 {
				b.Fatalf("delivery stalled at %d of %d", delivered, b.N)
			}
			delivered += n
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		if got := len(storedCounts(b, f)); got != b.N {
			b.Fatalf("log holds %d events, want %d", got, b.N)
		}
	})
}
