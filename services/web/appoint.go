package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// guardianOrgs are the organisations that take the child into protection,
// ranked as for a referral: a guardian is a user of one of them.
func (h *Handler) guardianOrgs(q *request, caseID string) []referral.Candidate {
	if h.cfg.Guardians == nil {
		return nil
	}
	cands, err := h.cfg.Referrals.Route(q.ctx(), referral.RouteQuery{CaseID: caseID, Service: intake.ServiceChildProtection, Urgency: "high"})
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
func (h *Handler) appointGuardian(q *request) {
	id := q.r.PathValue("id")
	if !uuidRe.MatchString(id) || h.cfg.Guardians == nil {
		h.notFound(q)
		return
	}
	f := q.r.PostForm
	in := intake.GuardianInput{OrgID: strings.TrimSpace(f.Get("org_id")), UserID: strings.TrimSpace(f.Get("user_id"))}
	var errs fieldErrors
	required(&errs, f, "org_id", "user_id")
	if !errs.Any() && !uuidRe.MatchString(in.UserID) {
		errs.add("user_id", "guardian.appoint.badid")
	}
	if !errs.Any() {
		_, err := h.cfg.Guardians.AppointGuardian(q.ctx(), id, in)
		switch e := kit.AsError(err); {
		case err == nil:
			q.s.Flash = "guardian.appoint.done"
			h.save(q.w, q.s)
			redirect(q, "/cases/%s#guardian", id)
			return
		case errors.Is(err, intake.ErrNotAGuardian) || e.Status == http.StatusBadRequest:
			errs.add("user_id", "guardian.appoint.notguardian")
		case e.Status == http.StatusConflict:
			errs.add("user_id", "guardian.appoint.state")
		default:
			h.fail(q, err)
			return
		}
	}
	// The case page again, with the errors beside the fields.
	h.casePageWith(q, id, &view{Form: f, Errors: errs}, http.StatusUnprocessableEntity)
}
