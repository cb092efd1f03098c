package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
)

// Message is one event in a service's outbox.
type Message struct {
	ID        string          `json:"id"`
	Source    string          `json:"source"` // the emitting service
	Seq       int64           `json:"seq"`    // gap-free per source
	Topic     string          `json:"topic"`
	CreatedAt time.Time       `json:"created_at"`
	Payload   json.RawMessage `json:"payload"`
}

// Outbox writes messages into one service's outbox table.
type Outbox struct {
	Service string
	Now     func() time.Time
}

// New returns the outbox of service.
func New(service string) *Outbox { return &Outbox{Service: service, Now: time.Now} }

// Append writes messages in tx, the caller's transaction, numbering them
// from the service's sequence. The sequence row is locked until tx ends, so
// numbers are gap-free and in commit order.
func (o *Outbox) Append(ctx context.Context, tx *sql.Tx, topic string, payloads ...any) error {
	if len(payloads) == 0 {
		return nil
	}
	var last int64
	err := tx.QueryRowContext(ctx,
		`UPDATE outbox_seq SET last = last + $1 WHERE id = 1 RETURNING last`, len(payloads)).Scan(&last)
	if err != nil {
		return fmt.Errorf("outbox: %s: sequence: %w", o.Service, err)
	}
	now := o.Now().UTC().Truncate(time.Microsecond)
	first := last - int64(len(payloads)) + 1
	for i, p := range payloads {
		id := event.NewID()
		if a, ok := p.(event.Audit); ok {
			// The event carries its own place in the sequence.
			a.Source, a.Seq = o.Service, first+int64(i)
			id, p = a.ID, a
		}
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("outbox: %s: encode: %w", o.Service, err)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO outbox (seq, id, topic, payload, created_at, attempts, next_attempt_at)
			 VALUES ($1, $2, $3, $4, $5, 0, $5)`,
			first+int64(i), id, topic, string(b), now); err != nil {
			return fmt.Errorf("outbox: %s: insert: %w", o.Service, err)
		}
	}
	return nil
}

// Audit validates and appends audit events in tx. An invalid event fails
// the transaction: no change commits without a well-formed trace.
func (o *Outbox) Audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	ps := make([]any, len(events))
	for i, e := range events {
		e.Source = o.Service
		if err := e.Validate(); err != nil {
			return fmt.Errorf("outbox: %s: %w", o.Service, err)
		}
		ps[i] = e
	}
	return o.Append(ctx, tx, event.TopicAudit, ps...)
}
