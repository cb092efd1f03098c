package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/kit"
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

// register registers c with reg through kit.Register, or returns the
// collector already registered under the same description.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	c, err := kit.Register(reg, c)
	if err != nil {
		panic(err)
	}
	return c
}

// observe sets the backlog gauges and logs, once, topics nobody handles.
// Every query reads an index range of undelivered messages only, never
// the delivered ones kept for the retention period.
func (r *Relay) observe(ctx context.Context) error {
	backlog, err := r.unnumberedBacklog(ctx)
	if err != nil {
		return fmt.Errorf("outbox: relay %s: backlog: %w", r.service, err)
	}
	if err := r.numberedBacklog(ctx, backlog); err != nil {
		return fmt.Errorf("outbox: relay %s: backlog: %w", r.service, err)
	}
	now := r.now()
	for topic, b := range backlog {
		r.gauged[topic] = true
		r.metrics.backlog.WithLabelValues(topic).Set(float64(b.n))
		r.metrics.oldestAge.WithLabelValues(topic).Set(max(now.Sub(b.oldest).Seconds(), 0))
		if _, ok := r.handlers[topic]; !ok && !r.unhandled[topic] {
			r.unhandled[topic] = true
			level.Warn(r.logger).Log("msg", "outbox topic has no handler; its messages wait", "topic", topic)
		}
	}
	for topic := range r.gauged {
		if _, ok := backlog[topic]; !ok {
			r.metrics.backlog.WithLabelValues(topic).Set(0)
			r.metrics.oldestAge.WithLabelValues(topic).Set(0)
		}
	}
	return nil
}

// topicBacklog is a topic's undelivered messages: how many, and when the
// oldest was written.
type topicBacklog struct {
	n      int64
	oldest time.Time
}

func (b *topicBacklog) add(n int64, oldest time.Time) {
	if b.n == 0 || oldest.Before(b.oldest) {
		b.oldest = oldest
	}
	b.n += n
}

// unnumberedBacklog counts the messages not numbered yet, per topic,
// through the unnumbered index.
func (r *Relay) unnumberedBacklog(ctx context.Context) (map[string]*topicBacklog, error) {
	rows, err := r.db.QueryContext(ctx,
		db.CustomPlan+`SELECT o.topic, o.created_at, b.n FROM outbox o JOIN (
		   SELECT MIN(pos) AS first, COUNT(*) AS n FROM outbox WHERE seq IS NULL GROUP BY topic) b ON o.pos = b.first`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	backlog := map[string]*topicBacklog{}
	for rows.Next() {
		var (
			topic  string
			oldest time.Time
			n      int64
		)
		if err := rows.Scan(&topic, &oldest, &n); err != nil {
			return nil, err
		}
		backlog[topic] = &topicBacklog{n: n, oldest: oldest}
	}
	return backlog, rows.Err()
}

// numberedBacklog adds the numbered messages after each topic's delivered
// mark, through the (topic, seq) index.
func (r *Relay) numberedBacklog(ctx context.Context, backlog map[string]*topicBacklog) error {
	type mark struct {
		topic     string
		delivered int64
	}
	rows, err := r.db.QueryContext(ctx, `SELECT topic, delivered FROM outbox_seq`)
	if err != nil {
		return err
	}
	var marks []mark
	for rows.Next() {
		var m mark
		if err := rows.Scan(&m.topic, &m.delivered); err != nil {
			rows.Close()
			return err
		}
		marks = append(marks, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range marks {
		var (
			oldest time.Time
			n      int64
		)
		err := r.db.QueryRowContext(ctx, db.CustomPlan+`SELECT o.created_at, b.n FROM outbox o JOIN (
			   SELECT MIN(seq) AS first, COUNT(*) AS n FROM outbox WHERE topic = $1 AND seq > $2) b
			 ON o.topic = $1 AND o.seq = b.first`, m.topic, m.delivered).Scan(&oldest, &n)
		if errors.Is(err, sql.ErrNoRows) {
			continue // nothing after the mark
		}
		if err != nil {
			return err
		}
		if backlog[m.topic] == nil {
			backlog[m.topic] = &topicBacklog{}
		}
		backlog[m.topic].add(n, oldest)
	}
	return nil
}

// Backlog returns how many messages of topic wait for delivery (for
// readiness: an audit log that stopped taking events).
func (r *Relay) Backlog(ctx context.Context, topic string) (int64, error) {
	backlog, err := r.unnumberedBacklog(ctx)
	if err == nil {
		err = r.numberedBacklog(ctx, backlog)
	}
	if err != nil {
		return 0, fmt.Errorf("outbox: relay %s: backlog: %w", r.service, err)
	}
	if b := backlog[topic]; b != nil {
		return b.n, nil
	}
	return 0, nil
}
