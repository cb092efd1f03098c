package web

import (
	"errors"
	"net/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
)

// reviewCodes are the conclusions an auditor may record on an emergency
// access.
var reviewCodes = []string{"justified", "unjustified", "referred"}

// breakGlassRow is one emergency access and whether this auditor may
// review it: an access is reviewed by an auditor of another organisation
// than the opener's, once.
type breakGlassRow struct {
	intake.BreakGlass
	MayReview bool
	OwnOrg    bool
}

func (h *Handler) breakGlassList(q *request) {
	list, err := h.cfg.EmergencyAccess.BreakGlassList(q.ctx())
	if err != nil {
		h.fail(q, err)
		return
	}
	rows := make([]breakGlassRow, len(list))
	for i, b := range list {
		own := b.OrgID == q.s.OrgID
		rows[i] = breakGlassRow{BreakGlass: b, OwnOrg: own, MayReview: !own && b.ReviewedBy == ""}
	}
	h.render(q, http.StatusOK, "audit_breakglass", &view{Title: "audit.bg.title", Data: map[string]any{"Rows": rows, "Codes": reviewCodes}})
}

func (h *Handler) breakGlassReview(q *request) {
	id := q.r.PathValue("id")
	code := q.r.PostForm.Get("code")
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	if !contains(reviewCodes, code) {
		q.s.Flash = "audit.bg.choose"
		h.save(q.w, q.s)
		redirect(q, "/audit/break-glass#bg-%s", id)
		return
	}
	_, err := h.cfg.EmergencyAccess.ReviewBreakGlass(q.ctx(), id, intake.ReviewInput{Code: code})
	switch {
	case errors.Is(err, intake.ErrReviewOwnOrg) || kit.AsError(err).Code == "review_own_organisation":
		q.s.Flash = "audit.bg.ownorg"
	case kit.AsError(err).Status == http.StatusConflict:
		q.s.Flash = "audit.bg.already"
	case err != nil:
		h.fail(q, err)
		return
	default:
		q.s.Flash = "audit.bg.done"
	}
	h.save(q.w, q.s)
	redirect(q, "/audit/break-glass")
}
