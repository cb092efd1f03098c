package frontline

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

// placesPage is the provider's places per service: how many it offers,
// how many are taken, and a form to change each.
type placesPage struct {
	Provider referral.Provider
	Found    bool
}

func (h *Pages) places(q *page.Request) {
	h.renderPlaces(q, http.StatusOK, &page.View{Title: "places.title"})
}

func (h *Pages) renderPlaces(q *page.Request, status int, v *page.View) {
	p, err := h.cfg.Referrals.GetProvider(q.Ctx(), q.S.OrgID)
	switch {
	case err == nil:
		v.Data = placesPage{Provider: p, Found: true}
	case kit.AsError(err).Status == http.StatusNotFound:
		// Not in the directory yet: the page says whom to ask.
		v.Data = placesPage{}
	default:
		h.Fail(q, err)
		return
	}
	h.Render(q, status, "places", v)
}

// setPlaces changes the places of one service.
func (h *Pages) setPlaces(q *page.Request) {
	f := q.R.PostForm
	service := f.Get("service")
	v := &page.View{Title: "places.title", Form: f}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("places")))
	switch {
	case !slices.Contains(referral.ServiceTypes, service):
		v.Errors.Add("places", "field.invalid")
	case err != nil || n < 0 || n > referral.MaxPlaces:
		v.Errors.Add("places", "places.invalid")
	}
	if v.Errors.Any() {
		h.renderPlaces(q, http.StatusUnprocessableEntity, v)
		return
	}
	if _, err := h.cfg.Referrals.SetCapacity(q.Ctx(), q.S.OrgID, service, n); err != nil {
		if kit.AsError(err).Status == http.StatusBadRequest || kit.AsError(err).Status == http.StatusUnprocessableEntity {
			v.Errors.Add("places", "field.invalid")
			h.renderPlaces(q, http.StatusUnprocessableEntity, v)
			return
		}
		h.Fail(q, err)
		return
	}
	q.S.Flash = "places.saved"
	h.Save(q.W, q.S)
	page.Redirect(q, "/places")
}
