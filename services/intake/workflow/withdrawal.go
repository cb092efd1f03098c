package workflow

import (
	"context"
	"database/sql"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// WithdrawOnConsent takes an adult out of the NRM when the consent to be
// submitted to the competent authority is no longer current: the decision
// track moves to withdrawn, and support stays as it was (help never
// depends on formal identification). Children are not withdrawn: their
// referral to the mechanism does not rest on consent. Intake runs it in
// the transaction of a consent change, with the case's consent records
// after it, so that registration reacts to consent without knowing the
// decision track exists.
func (tr *Tracks) WithdrawOnConsent(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, consents []casefile.Consent) error {
	if c.TreatedAsChild || c.Route != casefile.RouteNRM || c.Status == casefile.StatusDraft {
		return nil
	}
	if _, ok := casefile.CurrentConsent(consents, casefile.PurposeNRMSubmission, tr.now()); ok {
		return nil
	}
	w, err := tr.store.Workflow(ctx, tx, c)
	if err != nil {
		return err
	}
	from := w.DecisionState
	if !slices.Contains(AllowedDecisions(from, ActorOwner), casefile.DecisionWithdrawn) {
		return nil // already withdrawn, or past the point (a conclusive decision)
	}
	now := tr.now()
	w.DecisionState = casefile.DecisionWithdrawn
	if err := tr.store.PutWorkflow(ctx, tx, &w, now); err != nil {
		return err
	}
	d := casefile.DecisionRecord{ID: event.NewID(), Track: "decision", From: from, To: casefile.DecisionWithdrawn,
		ReasonCode: "consent_withdrawn", DecidedBy: p.UserID, OrgID: p.OrgID, DecidedAt: now}
	if err := tr.store.InsertDecision(ctx, tx, c.ID, d); err != nil {
		return err
	}
	return tr.cw.Emit(ctx, tx, []facts.Event{tr.cw.Fact(facts.Withdrawn, c)},
		tr.rec.New(ctx, "intake.decision.withdrawn", "case", c.ID, event.Allowed))
}
