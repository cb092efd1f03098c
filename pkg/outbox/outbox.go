package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
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

// Execer runs a statement in the caller's transaction: a *sql.Tx, or a
// wrapper that sends it together with statements held back before it.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Append writes messages of one topic in tx, the caller's transaction.
// See AppendAll.
func (o *Outbox) Append(ctx context.Context, tx Execer, topic string, payloads ...any) error {
	msgs := make([]Pending, len(payloads))
	for i, p := range payloads {
		msgs[i] = Pending{Topic: topic, Payload: p}
	}
	return o.AppendAll(ctx, tx, msgs...)
}

// Pending is a message to append.
type Pending struct {
	Topic   string
	Payload any
}

// insertChunk bounds the rows of one INSERT statement.
const insertChunk = 100

// AppendAll writes messages in tx, the caller's transaction: they commit
// or vanish with the change they report. Writers take no shared lock: the
// relay numbers committed messages afterwards (see Relay), so concurrent
// transactions commit, and flush, together. Audit payloads carry no
// sequence number of their own; receivers take it from the Message.
func (o *Outbox) AppendAll(ctx context.Context, tx Execer, msgs ...Pending) error {
	now := o.Now().UTC().Truncate(time.Microsecond)
	for start := 0; start < len(msgs); start += insertChunk {
		chunk := msgs[start:min(start+insertChunk, len(msgs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO outbox (id, topic, payload, created_at) VALUES `)
		args := make([]any, 0, len(chunk)*3+1)
		args = append(args, now)
		for i, m := range chunk {
			id, p := event.NewOrderedID(), m.Payload
			if a, ok := p.(event.Audit); ok {
				a.Source, a.Seq = o.Service, 0
				id, p = a.ID, a
			}
			b, err := json.Marshal(p)
			if err != nil {
				return fmt.Errorf("outbox: %s: encode: %w", o.Service, err)
			}
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $1)", n+1, n+2, n+3)
			args = append(args, id, m.Topic, string(b))
		}
		res, err := tx.ExecContext(ctx, q.String(), args...)
		if err != nil {
			return fmt.Errorf("outbox: %s: append: %w", o.Service, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(chunk)) {
			return fmt.Errorf("outbox: %s: append: %d of %d messages written (%v)", o.Service, n, len(chunk), err)
		}
	}
	return nil
}

// Audit validates and appends audit events in tx. An invalid event fails
// the transaction: no change commits without a well-formed trace.
func (o *Outbox) Audit(ctx context.Context, tx Execer, events ...event.Audit) error {
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

// AuditPending validates audit events and returns them as messages for
// AppendAll, so a change can append its audit and domain events at once.
func (o *Outbox) AuditPending(events ...event.Audit) ([]Pending, error) {
	out := make([]Pending, len(events))
	for i, e := range events {
		e.Source = o.Service
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("outbox: %s: %w", o.Service, err)
		}
		out[i] = Pending{Topic: event.TopicAudit, Payload: e}
	}
	return out, nil
}
