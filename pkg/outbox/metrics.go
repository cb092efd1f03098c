package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/db"
)

// relayMetrics are the relay's instruments, curried with the service label.
// Labels are only service and topic: nothing about a message's content.
type relayMetrics struct {
	backlog   *prometheus.GaugeVec
	oldestAge *prometheus.GaugeVec
	delivered *prometheus.CounterVec
	failures  *prometheus.CounterVec
}

var relayLabels = []string{"service", "topic"}

// newRelayMetrics registers the instruments with reg (nil registers
// nothing). Relays of several services in one process share the
// collectors, told apart by the service label.
func newRelayMetrics(reg prometheus.Registerer, service string) *relayMetrics {
	m := &relayMetrics{
		backlog: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "nrm", Subsystem: "outbox", Name: "backlog_messages",
			Help: "Undelivered messages in the outbox.",
		}, relayLabels)),
		oldestAge: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "nrm", Subsystem: "outbox", Name: "oldest_undelivered_age_seconds",
			Help: "Age of the oldest undelivered message, 0 when none.",
		}, relayLabels)),
		delivered: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nrm", Subsystem: "outbox", Name: "delivered_total",
			Help: "Messages delivered by the relay.",
		}, relayLabels)),
		failures: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nrm", Subsystem: "outbox", Name: "delivery_failures_total",
			Help: "Failed delivery attempts of a batch of messages.",
		}, relayLabels)),
	}
	l := prometheus.Labels{"service": service}
	m.backlog = m.backlog.MustCurryWith(l)
	m.oldestAge = m.oldestAge.MustCurryWith(l)
	m.delivered = m.delivered.MustCurryWith(l)
	m.failures = m.failures.MustCurryWith(l)
	return m
}

// register registers c with reg, or returns the collector already
// registered under the same description.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

// observe sets the backlog gauges and logs, once, topics nobody handles.
func (r *Relay) observe(ctx context.Context) error {
	// Numbered messages after each topic's delivered mark, read through the
	// (topic, seq) index, and unnumbered ones through theirs: never the
	// delivered messages kept for the retention period.
	rows, err := r.db.QueryContext(ctx,
		db.CustomPlan+`SELECT o.topic, o.created_at, b.n FROM outbox o JOIN (
		   SELECT MIN(pos) AS first, COUNT(*) AS n FROM (
		     SELECT m.topic, m.pos FROM outbox_seq s JOIN outbox m ON m.topic = s.topic AND m.seq > s.delivered
		     UNION ALL
		     SELECT topic, pos FROM outbox WHERE seq IS NULL) u GROUP BY topic) b ON o.pos = b.first`)
	if err != nil {
		return fmt.Errorf("outbox: relay %s: backlog: %w", r.service, err)
	}
	defer rows.Close()
	now := r.now()
	seen := map[string]bool{}
	for rows.Next() {
		var (
			topic  string
			oldest time.Time
			n      int64
		)
		if err := rows.Scan(&topic, &oldest, &n); err != nil {
			return fmt.Errorf("outbox: relay %s: backlog: %w", r.service, err)
		}
		seen[topic] = true
		r.gauged[topic] = true
		r.metrics.backlog.WithLabelValues(topic).Set(float64(n))
		r.metrics.oldestAge.WithLabelValues(topic).Set(max(now.Sub(oldest).Seconds(), 0))
		if _, ok := r.handlers[topic]; !ok && !r.unhandled[topic] {
			r.unhandled[topic] = true
			level.Warn(r.logger).Log("msg", "outbox topic has no handler; its messages wait", "topic", topic)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("outbox: relay %s: backlog: %w", r.service, err)
	}
	for topic := range r.gauged {
		if !seen[topic] {
			r.metrics.backlog.WithLabelValues(topic).Set(0)
			r.metrics.oldestAge.WithLabelValues(topic).Set(0)
		}
	}
	return nil
}
