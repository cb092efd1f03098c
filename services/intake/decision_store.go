package intake

import (
	"context"
	"database/sql"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/services/intake/store"
)

// emitWorkflow writes facts and audit events in one outbox write, like emit.
func (s *service) emitWorkflow(ctx context.Context, tx *sql.Tx, stats []facts.Event, audits ...event.Audit) error {
	if err := s.tellGuardian(ctx, tx, audits); err != nil {
		return err
	}
	payloads := make([]any, len(stats))
	for i, f := range stats {
		payloads[i] = f
	}
	return s.emitPayloads(ctx, tx, payloads, audits)
}

// workflowFact is a de-identified decision-track event about the case.
func (s *service) workflowFact(typ string, c store.CaseRow) facts.Event {
	child := c.TreatedAsChild
	return facts.Event{Type: typ, CaseKey: s.pseudonym(c.ID), Month: s.now().Format("2006-01"),
		AgeGroup: c.AgeGroup, TreatedAsChild: &child, Route: c.Route}
}
