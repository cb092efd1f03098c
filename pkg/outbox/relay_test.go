package outbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func TestRelayDeliversInSeqOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		want := map[string]int{}
		for tx := range 12 {
			topic := []string{"audit", "stats", "unrouted"}[tx%3]
			var ps []any
			for n := range tx%4 + 1 {
				ps = append(ps, testPayload{Tx: tx, N: n})
			}
			appendTx(t, d, o, topic, ps...)
			want[topic] += len(ps)
		}
		rc := newReceiver()
		r := NewRelay(d, testService, map[string]Handler{"audit": rc.Handle, "stats": rc.Handle},
			RelayOptions{BatchSize: 3})
		ctx := context.Background()
		n, err := r.DeliverOnce(ctx)
		if err != nil {
			t.Fatalf("DeliverOnce: %v", err)
		}
		if n != want["audit"]+want["stats"] {
			t.Fatalf("delivered %d, want %d", n, want["audit"]+want["stats"])
		}
		got, _ := rc.snapshot()
		checkOrder(t, got)
		count := map[string]int{}
		for _, m := range got {
			count[m.Topic]++
			if m.Source != testService || m.ID == "" || m.CreatedAt.IsZero() {
				t.Fatalf("seq %d: source %q id %q created %v", m.Seq, m.Source, m.ID, m.CreatedAt)
			}
			decode(t, m)
		}
		if count["audit"] != want["audit"] || count["stats"] != want["stats"] || count["unrouted"] != 0 {
			t.Fatalf("delivered per topic %v, want %v without unrouted", count, want)
		}
		if left := outboxRows(t, d, true); len(left) != 1 || len(left["unrouted"]) != want["unrouted"] {
			t.Fatalf("undelivered %v, want only the %d unrouted messages", left, want["unrouted"])
		}
		if n, err := r.DeliverOnce(ctx); n != 0 || err != nil {
			t.Fatalf("second pass delivered %d (%v), want 0", n, err)
		}
	})
}

func TestRelayRetriesFailuresInOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failures  int
		batchSize int
	}{
		{"one failure", 1, 256},
		{"five failures small batches", 5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				d := openOutbox(t, e)
				o := New(testService)
				clk := newClock()
				o.Now = clk.Now
				for tx := range 4 {
					appendTx(t, d, o, "audit", testPayload{Tx: tx}, testPayload{Tx: tx, N: 1})
				}
				failed := 0
				rc := newReceiver()
				rc.fail = func([]Message) error {
					if failed < tt.failures {
						failed++
						return errReceiverDown
					}
					return nil
				}
				const maxBackoff = 4 * time.Second
				r := NewRelay(d, testService, map[string]Handler{"audit": rc.Handle},
					RelayOptions{BatchSize: tt.batchSize, MaxBackoff: maxBackoff, Now: clk.Now})
				ctx := context.Background()
				for i := range tt.failures {
					n, err := r.DeliverOnce(ctx)
					if n != 0 || !isReceiverDown(err) {
						t.Fatalf("failing pass %d: delivered %d, err %v", i, n, err)
					}
					if got := streamAttempts(t, d, "audit"); got != i+1 {
						t.Fatalf("after failing pass %d: attempts = %d, want %d", i, got, i+1)
					}
					// Until the backoff ends nothing moves, and a message
					// appended meanwhile does not overtake the failed ones.
					appendTx(t, d, o, "audit", testPayload{Tx: 100 + i})
					if n, err := r.DeliverOnce(ctx); n != 0 || err != nil {
						t.Fatalf("pass during backoff delivered %d (%v), want 0", n, err)
					}
					clk.Advance(2 * maxBackoff)
				}
				n, err := r.DeliverOnce(ctx)
				if err != nil {
					t.Fatalf("DeliverOnce after recovery: %v", err)
				}
				total := 8 + tt.failures
				got, stored := rc.snapshot()
				if n != total || len(got) != total || len(stored) != total {
					t.Fatalf("delivered %d (%d received, %d stored), want %d", n, len(got), len(stored), total)
				}
				checkOrder(t, got)
				if left := outboxRows(t, d, true); len(left) != 0 {
					t.Fatalf("undelivered after recovery: %v", left)
				}
				if got := streamAttempts(t, d, "audit"); got != 0 {
					t.Fatalf("attempts after recovery = %d, want 0", got)
				}
			})
		})
	}
}

func TestRelayRestartDeliversEverythingOnce(t *testing.T) {
	t.Parallel()
	const total = 40
	tests := []struct {
		name string
		// stop is called inside the first relay's handler with its cancel.
		stop func(cancel context.CancelFunc) error
		// redelivered says whether the first batch must come again.
		redelivered bool
	}{
		{"crash after receipt, before marking", func(cancel context.CancelFunc) error {
			cancel()
			return errors.New("connection reset")
		}, true},
		{"stopped during delivery finishes the batch", func(cancel context.CancelFunc) error {
			cancel()
			return nil
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				d := openOutbox(t, e)
				o := New(testService)
				rc := newReceiver()
				ctx, cancel := context.WithCancel(context.Background())
				first := func(ctx context.Context, msgs []Message) error {
					if err := rc.Handle(ctx, msgs); err != nil {
						return err
					}
					return tt.stop(cancel)
				}
				r1 := NewRelay(d, testService, map[string]Handler{"audit": first},
					RelayOptions{BatchSize: 8, PollInterval: time.Hour})
				for i := range total {
					appendTx(t, d, o, "audit", testPayload{N: i})
				}
				r1.Notify()
				if err := r1.Run(ctx); err != nil {
					t.Fatalf("Run = %v, want nil after stop", err)
				}
				firstBatch, _ := rc.snapshot()
				if len(firstBatch) != 8 {
					t.Fatalf("first relay received %d messages, want one batch of 8", len(firstBatch))
				}

				clk := newClock() // past any backoff the first relay set
				r2 := NewRelay(d, testService, map[string]Handler{"audit": rc.Handle},
					RelayOptions{BatchSize: 8, Now: clk.Now})
				if _, err := r2.DeliverOnce(context.Background()); err != nil {
					t.Fatalf("second relay: %v", err)
				}
				got, stored := rc.snapshot()
				wantDeliveries := total
				if tt.redelivered {
					wantDeliveries += 8
				}
				if len(stored) != total || len(got) != wantDeliveries {
					t.Fatalf("%d stored from %d deliveries, want %d from %d", len(stored), len(got), total, wantDeliveries)
				}
				checkOrder(t, got[len(firstBatch):])
				if left := outboxRows(t, d, true); len(left) != 0 {
					t.Fatalf("undelivered: %v", left)
				}
			})
		})
	}
}

func TestRelayTwoReplicasPostgres(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	d := openOutbox(t, e)
	o := New(testService)
	rc := newReceiver()
	// A little latency lets the replicas' batches overlap in time.
	slow := func(ctx context.Context, msgs []Message) error {
		time.Sleep(time.Millisecond)
		return rc.Handle(ctx, msgs)
	}
	const txs = 200
	appendSome := func(from, to int) {
		for i := from; i < to; i++ {
			topic := []string{"audit", "stats"}[i%2]
			appendTx(t, d, o, topic, testPayload{Tx: i}, testPayload{Tx: i, N: 1})
		}
	}
	appendSome(0, txs/2) // a backlog both replicas start on
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	relays := make([]*Relay, 2)
	for i := range relays {
		relays[i] = NewRelay(d, testService, map[string]Handler{"audit": slow, "stats": slow},
			RelayOptions{BatchSize: 8, PollInterval: 2 * time.Millisecond})
		go func() { done <- relays[i].Run(ctx) }()
	}
	for i := txs / 2; i < txs; i++ {
		appendSome(i, i+1)
		relays[i%2].Notify()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, stored := rc.snapshot(); len(stored) == 2*txs {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("replicas did not deliver every message")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	for range relays {
		if err := <-done; err != nil {
			t.Fatalf("Run = %v", err)
		}
	}
	got, stored := rc.snapshot()
	if len(got) != len(stored) {
		t.Fatalf("%d deliveries of %d messages, want each exactly once", len(got), len(stored))
	}
	checkOrder(t, got)
	checkGapFree(t, stored)
	if left := outboxRows(t, d, true); len(left) != 0 {
		t.Fatalf("undelivered: %v", left)
	}
}

func TestRelaySweepKeepsNumbering(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		clk := newClock()
		o.Now = clk.Now
		rc := newReceiver()
		r := NewRelay(d, testService, map[string]Handler{"audit": rc.Handle},
			RelayOptions{Retention: 24 * time.Hour, Now: clk.Now})
		ctx := context.Background()
		appendTx(t, d, o, "audit", testPayload{N: 1}, testPayload{N: 2})
		appendTx(t, d, o, "unrouted", testPayload{N: 3})
		if _, err := r.DeliverOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(12 * time.Hour)
		appendTx(t, d, o, "audit", testPayload{N: 4})
		if _, err := r.DeliverOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(13 * time.Hour)
		n, err := r.Sweep(ctx)
		if err != nil || n != 2 {
			t.Fatalf("Sweep = %d, %v; want the 2 messages delivered over a day ago", n, err)
		}
		appendTx(t, d, o, "audit", testPayload{N: 5})
		if _, err := r.DeliverOnce(ctx); err != nil {
			t.Fatal(err)
		}
		rows := outboxRows(t, d, false)
		if len(rows["audit"]) != 2 || rows["audit"][0] != 3 || rows["audit"][1] != 4 || len(rows["unrouted"]) != 1 {
			t.Fatalf("rows after sweep %v, want audit [3 4] and the undelivered unrouted message", rows)
		}
	})
}

// A receiver that hangs (statistics) does not hold back another topic's
// delivery (the audit log).
func TestRelaySlowTopicDoesNotHoldBackAnother(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		release := make(chan struct{})
		stuck := func(ctx context.Context, msgs []Message) error {
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		audit := newReceiver()
		r := NewRelay(d, testService, map[string]Handler{"audit": audit.Handle, "stats": stuck},
			RelayOptions{PollInterval: 5 * time.Millisecond})
		appendTx(t, d, o, "stats", testPayload{N: 1})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		t.Cleanup(func() {
			close(release)
			cancel()
			<-done
		})
		time.Sleep(20 * time.Millisecond) // the stats loop is now stuck in its handler
		appendTx(t, d, o, "audit", testPayload{N: 2}, testPayload{N: 3})
		r.Notify()
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, stored := audit.snapshot(); len(stored) == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("audit messages waited behind a stuck statistics receiver")
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}
