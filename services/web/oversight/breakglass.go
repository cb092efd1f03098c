package oversight

import (
	"errors"
	"net/http"
	"slices"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/web/page"
)

// ReviewCodes are the conclusions an auditor may record on an emergency
// access.
var ReviewCodes = []string{"justified", "unjustified", "referred"}

// breakGlassRow is one emergency access and whether this auditor may
// review it: an access is reviewed by an auditor of another organisation
// than the opener's, once.
type breakGlassRow struct {
	intake.BreakGlass
	MayReview bool
	OwnOrg    bool
}

func (h *Pages) breakGlassList(q *page.Request) {
	list, err := h.cfg.EmergencyAccess.BreakGlassList(q.Ctx())
	if err != nil {
		h.Fail(q, err)
		return
	}
	rows := make([]breakGlassRow, len(list))
	for i, b := range list {
		own := b.OrgID == q.S.OrgID
		rows[i] = breakGlassRow{BreakGlass: b, OwnOrg: own, MayReview: !own && b.ReviewedBy == ""}
	}
	h.Render(q, http.StatusOK, "audit_breakglass", &page.View{Title: "audit.bg.title", Data: map[string]any{"Rows": rows, "Codes": ReviewCodes}})
}

func (h *Pages) breakGlassReview(q *page.Request) {
	id := q.R.PathValue("id")
	code := q.R.PostForm.Get("code")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	if !slices.Contains(ReviewCodes, code) {
		q.S.Flash = "audit.bg.choose"
		h.Save(q.W, q.S)
		page.Redirect(q, "/audit/break-glass#bg-%s", id)
		return
	}
	_, err := h.cfg.EmergencyAccess.ReviewBreakGlass(q.Ctx(), id, intake.ReviewInput{Code: code})
	switch {
	case errors.Is(err, intake.ErrReviewOwnOrg) || kit.AsError(err).Code == "review_own_organisation":
		q.S.Flash = "audit.bg.ownorg"
	case kit.AsError(err).Status == http.StatusConflict:
		q.S.Flash = "audit.bg.already"
	case err != nil:
		h.Fail(q, err)
		return
	default:
		q.S.Flash = "audit.bg.done"
	}
	h.Save(q.W, q.S)
	page.Redirect(q, "/audit/break-glass")
}
