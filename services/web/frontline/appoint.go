package frontline

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

// guardianOrgs are the organisations that take the child into protection,
// ranked as for a referral: a guardian is a user of one of them.
func (h *Pages) guardianOrgs(q *page.Request, caseID string) []referral.Candidate {
	if h.cfg.Guardians == nil {
		return nil
	}
	cands, err := h.cfg.Referrals.Route(q.Ctx(), referral.RouteQuery{CaseID: caseID, Service: intake.ServiceChildProtection, Urgency: "high"})
	if err != nil {
		return nil
	}
	var out []referral.Candidate
	for _, c := range cands {
		if c.Rank > 0 {
			out = append(out, c)
		}
	}
	return out
}

// appointGuardian appoints the user a child-protection organisation named
// (by the number their account page shows) as the child's guardian.
func (h *Pages) appointGuardian(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) || h.cfg.Guardians == nil {
		h.NotFound(q)
		return
	}
	f := q.R.PostForm
	in := intake.GuardianInput{OrgID: strings.TrimSpace(f.Get("org_id")), UserID: strings.TrimSpace(f.Get("user_id"))}
	var errs page.FieldErrors
	page.Required(&errs, f, "org_id", "user_id")
	if !errs.Any() && !page.IsUUID(in.UserID) {
		errs.Add("user_id", "guardian.appoint.badid")
	}
	if !errs.Any() {
		_, err := onceWithKey(q.Ctx(), f.Get("idempotency_key"), func(ctx context.Context) (intake.Workflow, error) {
			return h.cfg.Guardians.AppointGuardian(ctx, id, in)
		})
		switch e := kit.AsError(err); {
		case err == nil:
			q.S.Flash = "guardian.appoint.done"
			h.Save(q.W, q.S)
			page.Redirect(q, "/cases/%s#guardian", id)
			return
		case errors.Is(err, intake.ErrNotAGuardian) || e.Status == http.StatusBadRequest:
			errs.Add("user_id", "guardian.appoint.notguardian")
		case e.Status == http.StatusConflict:
			errs.Add("user_id", "guardian.appoint.state")
		default:
			h.Fail(q, err)
			return
		}
	}
	// The case page again, with the errors beside the fields.
	h.casePageWith(q, id, &page.View{Form: f, Errors: errs}, http.StatusUnprocessableEntity)
}
