package oversight

import (
	"net/http"
	"time"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/web/page"
)

// keyRow is an organisation's key ring on the administrators' keys page.
type keyRow struct {
	intake.KeyStatus
	Name string // the organisation's name where identity gave it
}

// Created is when the organisation's first identity was made.
func (k keyRow) Created() *time.Time { return &k.CreatedAt }

// keysPage shows the key rings' rotation state: an organisation admin its
// own, a system admin every organisation's (intake decides which).
func (h *Pages) keysPage(q *page.Request) {
	ctx := q.Ctx()
	var (
		rings   []intake.KeyStatus
		ringErr error
		names   = map[string]string{}
	)
	// The names are a courtesy: without them the page shows the ids.
	page.Together(func() { rings, ringErr = h.cfg.KeyRings.KeyStatus(ctx) }, func() {
		if list, err := h.cfg.Accounts.ListOrgs(ctx); err == nil {
			for _, o := range list {
				names[o.ID] = o.Name
			}
		}
	})
	if ringErr != nil {
		h.Fail(q, ringErr)
		return
	}
	rows := make([]keyRow, 0, len(rings))
	for _, k := range rings {
		rows = append(rows, keyRow{KeyStatus: k, Name: names[k.OrgID]})
	}
	h.Render(q, http.StatusOK, "admin_keys", &page.View{Title: "admin.keys.title", Data: rows})
}
