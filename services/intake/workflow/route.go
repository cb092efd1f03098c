package workflow

import (
	"context"
	"database/sql"
	"net/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// RouteChange is the body of POST /api/v1/cases/{id}/route: an assistance
// case moves onto the NRM route once the person consents to be submitted
// to the competent authority (help never waited for it).
type RouteChange struct {
	Route string `json:"route"` // nrm
}

// reasonNRMConsent is the decision record's code for a move onto the NRM
// route; its consent_id names the consent record it rests on.
const reasonNRMConsent = "nrm_consent"

// ChangeRoute implements Service.
func (tr *Tracks) ChangeRoute(ctx context.Context, caseID string, in RouteChange) (casefile.Workflow, error) {
	p, _, err := tr.cw.CallerOrg(ctx)
	if err != nil {
		return casefile.Workflow{}, err
	}
	if in.Route != casefile.RouteNRM {
		return casefile.Workflow{}, kit.Validation("route: only an assistance case's move onto the nrm route is recorded here; must be nrm")
	}
	err = tr.db.Tx(ctx, func(tx *sql.Tx) error {
		row, err := tr.cw.Owned(ctx, tx, p, caseID, "intake.case.route")
		if err != nil {
			return err
		}
		if row.Route != casefile.RouteAssistance || row.Status == casefile.StatusDraft {
			return kit.NewError(http.StatusConflict, casefile.CodeInvalidTransition, "only a registered assistance case moves onto the nrm route")
		}
		consents, err := tr.store.Consents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		consent, ok := casefile.CurrentConsent(consents, casefile.PurposeNRMSubmission, tr.now())
		if !ok {
			return casefile.ConsentMissing(casefile.PurposeNRMSubmission)
		}
		if err := tr.idem.Record(ctx, tx, http.StatusOK, caseID); err != nil {
			return err
		}
		return tr.moveToNRM(ctx, tx, p, row, consent)
	})
	if err != nil {
		return casefile.Workflow{}, tr.cw.Finish(ctx, err, "intake.case.route", caseID)
	}
	return tr.Workflow(ctx, caseID)
}

// moveToNRM records the move in tx: the route, and a decision-track record
// of when, by whom and on which consent. The case starts the decision
// track identified, ready to be submitted.
func (tr *Tracks) moveToNRM(ctx context.Context, tx *sql.Tx, p auth.Principal, row store.CaseRow, consent casefile.Consent) error {
	now := tr.now()
	row.Route, row.UpdatedAt = casefile.RouteNRM, now
	if err := tr.store.UpdateCase(ctx, tx, &row); err != nil {
		return err
	}
	w, err := tr.store.Workflow(ctx, tx, row)
	if err != nil {
		return err
	}
	if err := tr.store.PutWorkflow(ctx, tx, &w, now); err != nil {
		return err
	}
	d := casefile.DecisionRecord{ID: event.NewID(), Track: "route", From: casefile.RouteAssistance, To: casefile.RouteNRM,
		ReasonCode: reasonNRMConsent, DecidedBy: p.UserID, OrgID: p.OrgID, ConsentID: consent.ID, DecidedAt: now}
	if err := tr.store.InsertDecision(ctx, tx, row.ID, d); err != nil {
		return err
	}
	return tr.cw.Emit(ctx, tx, nil, tr.rec.New(ctx, "intake.case.route", "case", row.ID, event.Allowed))
}
