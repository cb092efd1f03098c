package outbox

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

func benchEngines(b *testing.B, fn func(b *testing.B, e dbtest.Engine)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.Postgres(b)) })
}

// BenchmarkAppend commits one transaction holding one audit event.
func BenchmarkAppend(b *testing.B) {
	benchEngines(b, func(b *testing.B, e dbtest.Engine) {
		d := openOutbox(b, e)
		o := New(testService)
		ctx := context.Background()
		for b.Loop() {
			ev := event.Audit{ID: event.NewID(), Time: time.Now().UTC(), Action: "case.read",
				ObjectType: "case", ObjectID: event.NewID(), Outcome: event.Allowed}
			if err := d.Tx(ctx, func(tx *sql.Tx) error { return o.Audit(ctx, tx, ev) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRelay delivers a backlog to a handler that does nothing and
// reports the delivery rate.
func BenchmarkRelay(b *testing.B) {
	benchEngines(b, func(b *testing.B, e dbtest.Engine) {
		d := openOutbox(b, e)
		o := New(testService)
		ctx := context.Background()
		b.StopTimer()
		for left := b.N; left > 0; left -= 256 {
			ps := make([]any, min(left, 256))
			for i := range ps {
				ps[i] = testPayload{N: i}
			}
			appendTx(b, d, o, "audit", ps...)
		}
		nop := func(context.Context, []Message) error { return nil }
		r := NewRelay(d, testService, map[string]Handler{"audit": nop}, RelayOptions{})
		b.StartTimer()
		n, err := r.DeliverOnce(ctx)
		if err != nil || n != b.N {
			b.Fatalf("delivered %d of %d: %v", n, b.N, err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
