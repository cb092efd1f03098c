package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral"
)

// placesPage is the provider's places per service: how many it offers,
// how many are taken, and a form to change each.
type placesPage struct {
	Provider referral.Provider
	Found    bool
}

func (h *Handler) places(q *request) {
	h.renderPlaces(q, http.StatusOK, &view{Title: "places.title"})
}

func (h *Handler) renderPlaces(q *request, status int, v *view) {
	p, err := h.cfg.Referrals.GetProvider(q.ctx(), q.s.OrgID)
	switch {
	case err == nil:
		v.Data = placesPage{Provider: p, Found: true}
	case kit.AsError(err).Status == http.StatusNotFound:
		// Not in the directory yet: the page says whom to ask.
		v.Data = placesPage{}
	default:
		h.fail(q, err)
		return
	}
	h.render(q, status, "places", v)
}

// setPlaces changes the places of one service.
func (h *Handler) setPlaces(q *request) {
	f := q.r.PostForm
	service := f.Get("service")
	v := &view{Title: "places.title", Form: f}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("places")))
	switch {
	case !slices.Contains(referral.ServiceTypes, service):
		v.Errors.add("places", "field.invalid")
	case err != nil || n < 0 || n > referral.MaxPlaces:
		v.Errors.add("places", "places.invalid")
	}
	if v.Errors.Any() {
		h.renderPlaces(q, http.StatusUnprocessableEntity, v)
		return
	}
	if _, err := h.cfg.Referrals.SetCapacity(q.ctx(), q.s.OrgID, service, n); err != nil {
		if kit.AsError(err).Status == http.StatusBadRequest || kit.AsError(err).Status == http.StatusUnprocessableEntity {
			v.Errors.add("places", "field.invalid")
			h.renderPlaces(q, http.StatusUnprocessableEntity, v)
			return
		}
		h.fail(q, err)
		return
	}
	q.s.Flash = "places.saved"
	h.save(q.w, q.s)
	redirect(q, "/places")
}
