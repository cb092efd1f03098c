package oversight

import (
	"net/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

// providerData is an organisation's entry in the provider directory, as
// its managers see it (with the webhook address).
type providerData struct {
	Org      identity.Org
	Orgs     []identity.Org
	Provider *referral.Provider
	Secret   *referral.WebhookSecretInfo // only in the answer to a rotation
}

func (h *Pages) providerPage(q *page.Request) {
	org, orgs, ok := h.orgFor(q, q.R.URL.Query().Get("org"))
	if !ok {
		return
	}
	h.renderProvider(q, org, orgs, nil)
}

func (h *Pages) renderProvider(q *page.Request, org identity.Org, orgs []identity.Org, secret *referral.WebhookSecretInfo) {
	d := providerData{Org: org, Secret: secret}
	if len(orgs) > 1 {
		d.Orgs = orgs
	}
	p, err := h.cfg.Directory.GetProvider(q.Ctx(), org.ID)
	switch {
	case err == nil:
		d.Provider = &p
	case kit.AsError(err).Status != http.StatusNotFound:
		h.Fail(q, err)
		return
	}
	if secret != nil {
		q.W.Header().Set("Cache-Control", "no-store")
	}
	h.Render(q, http.StatusOK, "admin_provider", &page.View{Title: "admin.provider.title", Data: d})
}

// rotateSecret issues a new webhook secret, shown in this answer only.
func (h *Pages) rotateSecret(q *page.Request) {
	org, orgs, ok := h.orgFor(q, q.R.PathValue("org"))
	if !ok {
		return
	}
	s, err := h.cfg.Directory.RotateWebhookSecret(q.Ctx(), org.ID)
	if err != nil {
		h.Fail(q, err)
		return
	}
	h.renderProvider(q, org, orgs, &s)
}
