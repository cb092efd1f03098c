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

func TestAppendConcurrentIsGapFree(t *testing.T) {
	const writers, each = 16, 12
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					err := d.Tx(ctx, func(tx *sql.Tx) error {
						return o.Append(ctx, tx, "audit", testPayload{Tx: w, N: i})
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("append: %v", err)
		}
		seqs := outboxRows(t, d, false)["audit"]
		if len(seqs) != writers*each {
			t.Fatalf("%d rows, want %d", len(seqs), writers*each)
		}
		for i, s := range seqs {
			if s != int64(i+1) {
				t.Fatalf("seq[%d] = %d, want %d: numbering has a gap", i, s, i+1)
			}
		}
		var last int64
		if err := d.QueryRow(`SELECT last FROM outbox_seq WHERE id = 1`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if last != writers*each {
			t.Fatalf("outbox_seq.last = %d, want %d", last, writers*each)
		}
	})
}

func TestAuditCarriesSourceAndSeq(t *testing.T) {
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
		if a.ID != ev.ID || got[0].ID != ev.ID || a.Source != testService || a.Seq != got[0].Seq {
			t.Fatalf("event id %s source %q seq %d, message id %s seq %d", a.ID, a.Source, a.Seq, got[0].ID, got[0].Seq)
		}
	})
}
