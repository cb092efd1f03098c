package oversight

import (
	"net/http"
	"slices"
	"sort"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

// commissionRoutes are the pages of the national referral desk
// (coordinators) and of the commission's analysts.
func (h *Pages) commissionRoutes() {
	m := h.Mux()
	m.HandleFunc("GET /desk", h.Page(true, h.desk))
	m.HandleFunc("GET /desk/referrals/{id}", h.Page(true, h.deskReferral))
	m.HandleFunc("POST /desk/referrals/{id}/place", h.Page(true, h.place))
	m.HandleFunc("GET /desk/providers", h.Page(true, h.directory))
	m.HandleFunc("GET /stats", h.Page(true, h.dashboard))
	m.HandleFunc("GET /stats/export", h.Page(true, h.exportCSV))
	m.HandleFunc("GET /stats/releases", h.Page(true, h.releases))
	m.HandleFunc("POST /stats/releases", h.Page(true, h.makeRelease))
	m.HandleFunc("GET /stats/report", h.Page(true, h.report))
}

// deskData is the coordinators' board: what found no provider, the
// emergencies in progress, offers about to expire and the unmet needs.
type deskData struct {
	Board    referral.Board
	Unmet    []referral.UnmetNeed
	UnmetSum int
}

func (h *Pages) desk(q *page.Request) {
	b, err := h.cfg.Desk.Board(q.Ctx())
	if err != nil {
		h.Fail(q, err)
		return
	}
	d := deskData{Board: b, Unmet: slices.Clone(b.UnmetNeeds)}
	sort.SliceStable(d.Unmet, func(i, j int) bool { return d.Unmet[i].Count > d.Unmet[j].Count })
	for _, u := range d.Unmet {
		d.UnmetSum += u.Count
	}
	h.Render(q, http.StatusOK, "desk", &page.View{Title: "desk.title", Data: d})
}

// placeData is one unplaced referral with the directory ranked for it.
type placeData struct {
	Referral referral.Referral
	Ranked   []referral.Candidate
	Excluded []referral.Candidate
}

func (h *Pages) deskReferral(q *page.Request) {
	h.showPlacement(q, http.StatusOK, &page.View{Title: "place.title"})
}

func (h *Pages) showPlacement(q *page.Request, status int, v *page.View) {
	id := q.R.PathValue("id")
	// The sender reads its referral on its own pages; this one is the desk's.
	if !page.IsUUID(id) || !q.S.HasRole(auth.RoleCoordinator) {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	r, err := h.cfg.Desk.GetReferral(ctx, id)
	if err != nil {
		h.Fail(q, err)
		return
	}
	d := placeData{Referral: r}
	if r.Status == referral.StatusNoProvider {
		cands, err := h.cfg.Desk.Candidates(ctx, id)
		if err != nil {
			h.Fail(q, err)
			return
		}
		for _, c := range cands {
			if c.Rank > 0 {
				d.Ranked = append(d.Ranked, c)
			} else {
				d.Excluded = append(d.Excluded, c)
			}
		}
	}
	v.Data = d
	h.Render(q, status, "desk_referral", v)
}

// place offers an unplaced referral to the provider the coordinator chose.
func (h *Pages) place(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	org := q.R.PostForm.Get("org_id")
	v := &page.View{Title: "place.title", Form: q.R.PostForm}
	if !page.IsUUID(org) {
		v.Errors.Add("org_id", "place.choose")
		h.showPlacement(q, http.StatusUnprocessableEntity, v)
		return
	}
	_, err := h.cfg.Desk.Place(q.Ctx(), id, referral.PlaceInput{OrgID: org})
	switch e := kit.AsError(err); {
	case err == nil:
	case e.Status == http.StatusBadRequest:
		v.Errors.Add("org_id", "place.excluded")
		h.showPlacement(q, http.StatusUnprocessableEntity, v)
		return
	case e.Code == referral.CodeGrantRevocationPending:
		v.Errors.Add("org_id", "place.revoking")
		h.showPlacement(q, http.StatusConflict, v)
		return
	case e.Code == intake.CodeConsentRequired:
		v.Errors.Add("org_id", "place.consent")
		h.showPlacement(q, http.StatusConflict, v)
		return
	default:
		h.Fail(q, err)
		return
	}
	q.S.Flash = "place.done"
	h.Save(q.W, q.S)
	page.Redirect(q, "/desk")
}

// directoryData is the provider directory with its places, filtered by
// service and region.
type directoryData struct {
	Providers []referral.Provider
	Service   string
	Region    string
	Services  []string
	Regions   []string
}

func (h *Pages) directory(q *page.Request) {
	qs := q.R.URL.Query()
	d := directoryData{Service: qs.Get("service"), Region: qs.Get("region"), Services: referral.ServiceTypes,
		Regions: intake.DefaultRegions}
	if !slices.Contains(referral.ServiceTypes, d.Service) {
		d.Service = ""
	}
	if !slices.Contains(intake.DefaultRegions, d.Region) {
		d.Region = ""
	}
	ps, err := h.cfg.Desk.ListProviders(q.Ctx(), d.Service, d.Region)
	if err != nil {
		h.Fail(q, err)
		return
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	d.Providers = ps
	h.Render(q, http.StatusOK, "desk_providers", &page.View{Title: "directory.title", Data: d})
}
