package intake

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
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

func (s *service) ChangeRoute(ctx context.Context, caseID string, in RouteChange) (Workflow, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Workflow{}, err
	}
	if in.Route != RouteNRM {
		return Workflow{}, kit.Validation("route: only an assistance case's move onto the nrm route is recorded here; must be nrm")
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		row, err := s.owned(ctx, tx, p, caseID, "intake.case.route")
		if err != nil {
			return err
		}
		if row.Route != RouteAssistance || row.Status == StatusDraft {
			return kit.NewError(http.StatusConflict, CodeInvalidTransition, "only a registered assistance case moves onto the nrm route")
		}
		consents, err := s.store.Consents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		consent, ok := consentCurrent(consents, PurposeNRMSubmission, s.now())
		if !ok {
			return consentRequired(PurposeNRMSubmission)
		}
		return s.moveToNRM(ctx, tx, p, row, consent)
	})
	if err != nil {
		return Workflow{}, s.finish(ctx, err, "intake.case.route", caseID)
	}
	return s.Workflow(ctx, caseID)
}

// moveToNRM records the move in tx: the route, and a decision-track record
// of when, by whom and on which consent. The case starts the decision
// track identified, ready to be submitted.
func (s *service) moveToNRM(ctx context.Context, tx *sql.Tx, p auth.Principal, row store.CaseRow, consent Consent) error {
	now := s.now()
	row.Route, row.UpdatedAt = RouteNRM, now
	if err := s.store.UpdateCase(ctx, tx, &row); err != nil {
		return err
	}
	w, err := s.store.Workflow(ctx, tx, row)
	if err != nil {
		return err
	}
	if err := s.store.PutWorkflow(ctx, tx, &w, now); err != nil {
		return err
	}
	d := DecisionRecord{ID: event.NewID(), Track: "route", From: RouteAssistance, To: RouteNRM, ReasonCode: reasonNRMConsent,
		DecidedBy: p.UserID, OrgID: p.OrgID, ConsentID: consent.ID, DecidedAt: now}
	if err := s.store.InsertDecision(ctx, tx, row.ID, d); err != nil {
		return err
	}
	return s.audit(ctx, tx, s.rec.New(ctx, "intake.case.route", "case", row.ID, event.Allowed))
}

// Transport, endpoint, client and middleware of ChangeRoute.

type routeRequest struct {
	CaseID string
	RouteChange
}

func makeChangeRouteEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, r any) (any, error) {
		req := r.(routeRequest)
		w, err := s.ChangeRoute(ctx, req.CaseID, req.RouteChange)
		return workflowResponse{Workflow: w, Err: err}, nil
	}
}

func decodeRouteRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var in RouteChange
	if err := kit.DecodeJSON(nil, r, &in); err != nil {
		return nil, err
	}
	return routeRequest{CaseID: id, RouteChange: in}, nil
}

// ChangeRoute implements Service.
func (c *client) ChangeRoute(ctx context.Context, id string, in RouteChange) (Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, in, id, "route")
}

func (m *logging) ChangeRoute(ctx context.Context, id string, in RouteChange) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "ChangeRoute", id, b, err) }(time.Now())
	return m.next.ChangeRoute(ctx, id, in)
}

func (m *instrumenting) ChangeRoute(ctx context.Context, id string, in RouteChange) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "ChangeRoute", b, err) }(time.Now())
	return m.next.ChangeRoute(ctx, id, in)
}
