package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

func TestAppendRolledBackLeavesNoMessageNoGap(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		ctx := context.Background()
		appendTx(t, d, o, "stats", testPayload{Tx: 1})
		errAbort := errors.New("abort")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := o.Append(ctx, tx, "stats", testPayload{Tx: 2}, testPayload{Tx: 2, N: 1}); err != nil {
				return err
			}
			return errAbort
		})
		if !errors.Is(err, errAbort) {
			t.Fatalf("Tx = %v, want the abort", err)
		}
		appendTx(t, d, o, "stats", testPayload{Tx: 3})

		rc := newReceiver()
		r := NewRelay(d, testService, map[string]Handler{"stats": rc.Handle}, RelayOptions{})
		if _, err := r.DeliverOnce(ctx); err != nil {
			t.Fatalf("DeliverOnce: %v", err)
		}
		got, _ := rc.snapshot()
		var seqs, txs []int
		for _, m := range got {
			seqs = append(seqs, int(m.Seq))
			txs = append(txs, decode(t, m).Tx)
		}
		if !slices.Equal(seqs, []int{1, 2}) || !slices.Equal(txs, []int{1, 3}) {
			t.Fatalf("delivered seqs %v from txs %v, want seqs [1 2] from txs [1 3]", seqs, txs)
		}
	})
}

// Writers append to two topics while a relay numbers and delivers: each
// topic's stream is numbered 1..n without gap or repeat, every message once.
// Not in parallel with other tests: sixteen writers contend for SQLite's
// write lock, and a starved lock holder would outlast the busy timeout.
func TestConcurrentWritersGetGapFreeStreams(t *testing.T) {
	const writers, each = 16, 12
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		ctx := context.Background()
		rc := newReceiver()
		r := NewRelay(d, testService, map[string]Handler{"audit": rc.Handle, "stats": rc.Handle},
			RelayOptions{BatchSize: 7, PollInterval: time.Millisecond})
		rctx, stop := context.WithCancel(ctx)
		relayDone := make(chan error, 1)
		go func() { relayDone <- r.Run(rctx) }()
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					err := d.Tx(ctx, func(tx *sql.Tx) error {
						return o.AppendAll(ctx, tx, Pending{Topic: "audit", Payload: testPayload{Tx: w, N: i}},
							Pending{Topic: "stats", Payload: testPayload{Tx: w, N: i}})
					})
					if err != nil {
						errs <- err
						return
					}
					r.Notify()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("append: %v", err)
		}
		stop()
		if err := <-relayDone; err != nil {
			t.Fatalf("Run: %v", err)
		}
		r.rescan()
		if _, err := r.DeliverOnce(ctx); err != nil {
			t.Fatalf("DeliverOnce: %v", err)
		}
		got, stored := rc.snapshot()
		if len(stored) != 2*writers*each || len(got) != len(stored) {
			t.Fatalf("%d stored from %d deliveries, want %d each once", len(stored), len(got), 2*writers*each)
		}
		checkOrder(t, got)
		checkGapFree(t, stored)
		for _, topic := range []string{"audit", "stats"} {
			var last int64
			if err := d.QueryRow(`SELECT last FROM outbox_seq WHERE topic = $1`, topic).Scan(&last); err != nil {
				t.Fatal(err)
			}
			if last != writers*each {
				t.Fatalf("outbox_seq %s = %d, want %d", topic, last, writers*each)
			}
		}
	})
}

func TestAuditCarriesSourceAndSeq(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		ctx := context.Background()
		ev := event.Audit{ID: event.NewID(), Time: time.Now().UTC(), Action: "case.read", Outcome: event.Allowed}
		bad := ev
		bad.ObjectID = "Jane Doe, 12 Hill Street"
		tests := []struct {
			name    string
			events  []event.Audit
			wantErr bool
		}{
			{"valid", []event.Audit{ev}, false},
			{"free text refused", []event.Audit{bad}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := d.Tx(ctx, func(tx *sql.Tx) error { return o.Audit(ctx, tx, tt.events...) })
				if (err != nil) != tt.wantErr {
					t.Fatalf("Audit = %v, want error %v", err, tt.wantErr)
				}
			})
		}
		rc := newReceiver()
		r := NewRelay(d, testService, map[string]Handler{event.TopicAudit: rc.Handle}, RelayOptions{})
		if _, err := r.DeliverOnce(ctx); err != nil {
			t.Fatalf("DeliverOnce: %v", err)
		}
		got, _ := rc.snapshot()
		if len(got) != 1 {
			t.Fatalf("%d audit messages delivered, want 1", len(got))
		}
		var a event.Audit
		if err := json.Unmarshal(got[0].Payload, &a); err != nil {
			t.Fatal(err)
		}
		if a.ID != ev.ID || got[0].ID != ev.ID || a.Source != testService || got[0].Source != testService || got[0].Seq != 1 {
			t.Fatalf("event id %s source %q, message id %s source %q seq %d", a.ID, a.Source, got[0].ID, got[0].Source, got[0].Seq)
		}
	})
}
