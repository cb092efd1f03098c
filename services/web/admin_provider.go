package web

import (
	"net/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/referral"
)

// providerData is an organisation's entry in the provider directory, as
// its managers see it (with the webhook address).
type providerData struct {
	Org      identity.Org
	Orgs     []identity.Org
	Provider *referral.Provider
	Secret   *referral.WebhookSecretInfo // only in the answer to a rotation
}

func (h *Handler) providerPage(q *request) {
	org, orgs, ok := h.orgFor(q, q.r.URL.Query().Get("org"))
	if !ok {
		return
	}
	h.renderProvider(q, org, orgs, nil)
}

func (h *Handler) renderProvider(q *request, org identity.Org, orgs []identity.Org, secret *referral.WebhookSecretInfo) {
	d := providerData{Org: org, Secret: secret}
	if len(orgs) > 1 {
		d.Orgs = orgs
	}
	p, err := h.cfg.Directory.GetProvider(q.ctx(), org.ID)
	switch {
	case err == nil:
		d.Provider = &p
	case kit.AsError(err).Status != http.StatusNotFound:
		h.fail(q, err)
		return
	}
	if secret != nil {
		q.w.Header().Set("Cache-Control", "no-store")
	}
	h.render(q, http.StatusOK, "admin_provider", &view{Title: "admin.provider.title", Data: d})
}

// rotateSecret issues a new webhook secret, shown in this answer only.
func (h *Handler) rotateSecret(q *request) {
	org, orgs, ok := h.orgFor(q, q.r.PathValue("org"))
	if !ok {
		return
	}
	s, err := h.cfg.Directory.RotateWebhookSecret(q.ctx(), org.ID)
	if err != nil {
		h.fail(q, err)
		return
	}
	h.renderProvider(q, org, orgs, &s)
}
