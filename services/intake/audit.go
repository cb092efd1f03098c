package intake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/store"
)

// CodeIntegrity is the error code of a stored record that failed its
// integrity check.
const CodeIntegrity = keyring.CodeIntegrity

// ErrIntegrity means a stored section or wrap was not written by this
// deployment (moved, truncated or forged): nothing was decrypted or
// returned.
var ErrIntegrity = keyring.ErrIntegrity

// TopicStats is the outbox topic of de-identified domain events
// (pkg/facts, the one statistics contract).
const TopicStats = facts.Topic

// audit writes events into the outbox in tx. A failure fails the change
// with 503: nothing commits without its trace.
func (s *service) audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	if err := s.outbox.Audit(ctx, tx, events...); err != nil {
		return fmt.Errorf("intake: audit: %w: %w", ErrUnavailable, err)
	}
	return s.tellGuardian(ctx, tx, events)
}

// emit appends statistics and audit events in one outbox write, the last
// statement before commit, and tells a child's guardian of the changes.
func (s *service) emit(ctx context.Context, tx outbox.Execer, stats []facts.Event, audits ...event.Audit) error {
	if q, ok := tx.(store.Querier); ok {
		if err := s.tellGuardian(ctx, q, audits); err != nil {
			return err
		}
	}
	payloads := make([]any, len(stats))
	for i, e := range stats {
		payloads[i] = e
	}
	return s.emitPayloads(ctx, tx, payloads, audits)
}

// emitPayloads appends audit events and statistics payloads at once.
func (s *service) emitPayloads(ctx context.Context, tx outbox.Execer, stats []any, audits []event.Audit) error {
	msgs, err := s.outbox.AuditPending(audits...)
	if err != nil {
		return fmt.Errorf("intake: audit: %w: %w", ErrUnavailable, err)
	}
	for _, p := range stats {
		msgs = append(msgs, outbox.Pending{Topic: TopicStats, Payload: p})
	}
	if err := s.outbox.AppendAll(ctx, tx, msgs...); err != nil {
		return fmt.Errorf("intake: events: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// auditAlone makes events durable before the caller goes on (a read's
// event before anything is decrypted), in a transaction shared with other
// requests arriving at the same moment (group commit).
func (s *service) auditAlone(ctx context.Context, events ...event.Audit) error {
	msgs, err := s.outbox.AuditPending(events...)
	if err == nil {
		err = s.auditBatch.Append(msgs...)
	}
	if err != nil {
		_ = level.Error(s.log).Log("msg", "audit write failed", "err", err)
		return fmt.Errorf("intake: audit: %w", ErrUnavailable)
	}
	return nil
}

// deny records a denied action on an instance and answers ErrNotFound, so
// the caller cannot tell a forbidden case from a missing one.
func (s *service) deny(ctx context.Context, action, objectID string) error {
	s.metrics.denials.WithLabelValues(kit.CodeNotFound).Inc()
	if err := s.auditAlone(ctx, s.rec.New(ctx, action, "case", auditID(objectID), event.Denied)); err != nil {
		return err
	}
	return ErrNotFound
}

// auditID keeps an id out of the event unless it is one this service
// issues: a malformed id might be anything a caller typed.
func auditID(id string) string {
	if casefile.ValidID(id) {
		return id
	}
	return ""
}

// principal returns the caller; only callers of an organisation touch
// cases (the command line's system principal has none).
// pseudonym is a case's key in statistics: stable, unlinkable to the id
// without the master key.
func (s *service) pseudonym(caseID string) string {
	m := hmac.New(sha256.New, s.pseudonymKey)
	m.Write([]byte(caseID))
	return hex.EncodeToString(m.Sum(nil))
}

// statsEvent is a de-identified event about the case: its pseudonymous
// key and the month, never the id.
func (s *service) statsEvent(typ, caseID string) facts.Event {
	return facts.Event{Type: typ, CaseKey: s.pseudonym(caseID), Month: s.now().Format("2006-01")}
}

func (s *service) stats(ctx context.Context, tx *sql.Tx, events ...facts.Event) error {
	ps := make([]any, len(events))
	for i, e := range events {
		ps[i] = e
	}
	if err := s.outbox.Append(ctx, tx, TopicStats, ps...); err != nil {
		return fmt.Errorf("intake: stats event: %w: %w", ErrUnavailable, err)
	}
	return nil
}
