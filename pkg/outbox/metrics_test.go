package outbox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func TestRelayMetricsReflectBacklog(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		o := New(testService)
		clk := newClock()
		o.Now = clk.Now
		appendTx(t, d, o, "audit", testPayload{N: 1}, testPayload{N: 2})
		clk.Advance(30 * time.Second)
		appendTx(t, d, o, "audit", testPayload{N: 3})
		appendTx(t, d, o, "unrouted", testPayload{N: 4})
		clk.Advance(60 * time.Second)

		down := true
		rc := newReceiver()
		rc.fail = func([]Message) error {
			if down {
				return errReceiverDown
			}
			return nil
		}
		reg := prometheus.NewRegistry()
		r := NewRelay(d, testService, map[string]Handler{"audit": rc.Handle},
			RelayOptions{Registerer: reg, MaxBackoff: time.Second, Now: clk.Now})
		// A second relay of another service shares the collectors.
		NewRelay(d, "other", nil, RelayOptions{Registerer: reg})
		ctx := context.Background()

		steps := []struct {
			name                   string
			up                     bool
			backlog, age           [2]float64 // audit, unrouted
			delivered, failedTotal float64
		}{
			{"receiver down", false, [2]float64{3, 1}, [2]float64{90, 60}, 0, 1},
			{"receiver back", true, [2]float64{0, 1}, [2]float64{0, 70}, 3, 1},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				down = !st.up
				if _, err := r.DeliverOnce(ctx); (err == nil) != st.up {
					t.Fatalf("DeliverOnce: %v", err)
				}
				want := fmt.Sprintf(`
# HELP nrm_outbox_backlog_messages Undelivered messages in the outbox.
# TYPE nrm_outbox_backlog_messages gauge
nrm_outbox_backlog_messages{service="outboxtest",topic="audit"} %g
nrm_outbox_backlog_messages{service="outboxtest",topic="unrouted"} %g
# HELP nrm_outbox_oldest_undelivered_age_seconds Age of the oldest undelivered message, 0 when none.
# TYPE nrm_outbox_oldest_undelivered_age_seconds gauge
nrm_outbox_oldest_undelivered_age_seconds{service="outboxtest",topic="audit"} %g
nrm_outbox_oldest_undelivered_age_seconds{service="outboxtest",topic="unrouted"} %g
`, st.backlog[0], st.backlog[1], st.age[0], st.age[1])
				if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
					"nrm_outbox_backlog_messages", "nrm_outbox_oldest_undelivered_age_seconds"); err != nil {
					t.Fatal(err)
				}
				if got := testutil.ToFloat64(r.metrics.delivered.WithLabelValues("audit")); got != st.delivered {
					t.Fatalf("delivered_total = %g, want %g", got, st.delivered)
				}
				if got := testutil.ToFloat64(r.metrics.failures.WithLabelValues("audit")); got != st.failedTotal {
					t.Fatalf("delivery_failures_total = %g, want %g", got, st.failedTotal)
				}
				clk.Advance(10 * time.Second) // past the backoff
			})
		}
	})
}
