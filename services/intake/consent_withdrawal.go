package intake

import (
	"context"
	"database/sql"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/services/intake/store"
)

// consentHook runs in the transaction of a consent change, with the case's
// consent records after it: a part above registration (the decision
// track) reacts to consent without registration knowing it exists.
type consentHook func(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, consents []Consent) error

// withdrawOnConsent (a consentHook) takes an adult out of the NRM when the consent to be
// submitted to the competent authority is no longer current: the decision
// track moves to withdrawn, and support stays as it was (help never
// depends on formal identification). Children are not withdrawn: their
// referral to the mechanism does not rest on consent.
func (s *service) withdrawOnConsent(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, consents []Consent) error {
	if c.TreatedAsChild || c.Route != RouteNRM || c.Status == StatusDraft {
		return nil
	}
	if _, ok := consentCurrent(consents, PurposeNRMSubmission, s.now()); ok {
		return nil
	}
	w, err := s.store.Workflow(ctx, tx, c)
	if err != nil {
		return err
	}
	from := w.DecisionState
	if !slices.Contains(allowedDecisions(from, actorOwner), DecisionWithdrawn) {
		return nil // already withdrawn, or past the point (a conclusive decision)
	}
	now := s.now()
	w.DecisionState = DecisionWithdrawn
	if err := s.store.PutWorkflow(ctx, tx, &w, now); err != nil {
		return err
	}
	d := DecisionRecord{ID: event.NewID(), Track: "decision", From: from, To: DecisionWithdrawn,
		ReasonCode: "consent_withdrawn", DecidedBy: p.UserID, OrgID: p.OrgID, DecidedAt: now}
	if err := s.store.InsertDecision(ctx, tx, c.ID, d); err != nil {
		return err
	}
	return s.emitWorkflow(ctx, tx, []facts.Event{s.workflowFact(facts.Withdrawn, c)},
		s.rec.New(ctx, "intake.decision.withdrawn", "case", c.ID, event.Allowed))
}
