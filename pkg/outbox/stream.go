package outbox

// A delivery pass over one topic's stream: claim a batch, hand it to the
// handler, settle the stream's row.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stream is a topic's row in outbox_seq, as a delivery pass found it.
type stream struct {
	delivered int64 // every message numbered up to here is delivered
	attempts  int   // failed attempts at the batch after delivered
	retryAt   sql.NullTime
}

// claim reads the topic's stream and the next batch: the numbered messages
// after the delivered mark, in sequence order; none while a failed batch
// waits out its backoff, so that nothing overtakes it.
func (r *Relay) claim(ctx context.Context, q querier, topic string) (stream, []Message, bool, error) {
	var st stream
	err := q.QueryRowContext(ctx, `SELECT delivered, attempts, retry_at FROM outbox_seq WHERE topic = $1`,
		topic).Scan(&st.delivered, &st.attempts, &st.retryAt)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil, false, nil // nothing numbered yet
	}
	if err != nil {
		return st, nil, false, fmt.Errorf("outbox: relay %s: %s: stream: %w", r.service, topic, err)
	}
	if st.retryAt.Valid && st.retryAt.Time.After(r.now()) {
		return st, nil, false, nil
	}
	rows, err := q.QueryContext(ctx,
		db.CustomPlan+`SELECT seq, id, payload, created_at FROM outbox
		 WHERE topic = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		topic, st.delivered, r.opts.BatchSize)
	if err != nil {
		return st, nil, false, fmt.Errorf("outbox: relay %s: %s: claim: %w", r.service, topic, err)
	}
	defer rows.Close()
	var msgs []Message
	for rows.Next() {
		var (
			m       Message
			payload string
		)
		if err := rows.Scan(&m.Seq, &m.ID, &payload, &m.CreatedAt); err != nil {
			return st, nil, false, fmt.Errorf("outbox: relay %s: %s: claim: %w", r.service, topic, err)
		}
		m.Source, m.Topic, m.Payload = r.service, topic, []byte(payload)
		m.CreatedAt = m.CreatedAt.UTC()
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return st, nil, false, fmt.Errorf("outbox: relay %s: %s: claim: %w", r.service, topic, err)
	}
	return st, msgs, len(msgs) == r.opts.BatchSize, nil
}

// call runs the topic's handler, turning a panic into an error.
func (r *Relay) call(ctx context.Context, topic string, msgs []Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return r.handlers[topic](ctx, msgs)
}

// settle moves the topic's delivered mark past msgs, or after a handler
// failure counts the attempt, postpones the topic and returns the failure
// to report. One row changes per batch, whatever its size: messages are
// never updated once numbered. The mark moves only from where claim found
// it; if anything else moved it meanwhile, the batch rolls back and is
// delivered again (at least once).
func (r *Relay) settle(ctx context.Context, tx *sql.Tx, topic string, st stream, msgs []Message, herr error) (failure, err error) {
	if herr == nil {
		err := r.updateStream(ctx, tx, topic, st,
			`delivered = $3, attempts = 0, retry_at = NULL`, msgs[len(msgs)-1].Seq)
		if err != nil {
			return nil, fmt.Errorf("outbox: relay %s: %s: mark delivered: %w", r.service, topic, err)
		}
		return nil, nil
	}
	attempts := st.attempts + 1
	wait := r.backoff(attempts)
	if err := r.updateStream(ctx, tx, topic, st, `attempts = attempts + 1, retry_at = $3`, r.now().Add(wait)); err != nil {
		return nil, fmt.Errorf("outbox: relay %s: %s: postpone: %w", r.service, topic, err)
	}
	return fmt.Errorf("outbox: relay %s: %s: deliver seq %d-%d (attempt %d, retry in %s): %w",
		r.service, topic, msgs[0].Seq, msgs[len(msgs)-1].Seq, attempts, wait.Round(time.Millisecond), herr), nil
}

// updateStream applies set (with $3 = v) to the topic's stream row if its
// delivered mark is still st's.
func (r *Relay) updateStream(ctx context.Context, tx *sql.Tx, topic string, st stream, set string, v any) error {
	res, err := tx.ExecContext(ctx, `UPDATE outbox_seq SET `+set+` WHERE topic = $1 AND delivered = $2`,
		topic, st.delivered, v)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("delivered mark of %s moved by someone else (%d rows, %v)", topic, n, err)
	}
	return nil
}

// account updates the counters once the batch's outcome is committed.
func (r *Relay) account(topic string, msgs []Message, more bool, failure error) (int, bool, error) {
	if failure != nil {
		r.metrics.failures.WithLabelValues(topic).Inc()
		return 0, false, failure
	}
	r.metrics.delivered.WithLabelValues(topic).Add(float64(len(msgs)))
	return len(msgs), more, nil
}

// backoff is the wait before attempt n+1: exponential from backoffBase,
// capped at MaxBackoff, plus up to a tenth of jitter so that failing
// replicas do not retry in step.
func (r *Relay) backoff(attempts int) time.Duration {
	d := r.opts.MaxBackoff
	if attempts < 31 {
		d = min(backoffBase<<(attempts-1), r.opts.MaxBackoff)
	}
	return d + rand.N(d/10+1)
}

func (r *Relay) now() time.Time { return r.opts.Now().UTC().Truncate(time.Microsecond) }
