package web

import (
	"net/http"
	"slices"
	"sort"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// commissionRoutes are the pages of the national referral desk
// (coordinators) and of the commission's analysts.
func (h *Handler) commissionRoutes() {
	m := h.mux
	m.HandleFunc("GET /desk", h.page(true, h.desk))
	m.HandleFunc("GET /desk/referrals/{id}", h.page(true, h.deskReferral))
	m.HandleFunc("POST /desk/referrals/{id}/place", h.page(true, h.place))
	m.HandleFunc("GET /desk/providers", h.page(true, h.directory))
	m.HandleFunc("GET /stats", h.page(true, h.dashboard))
	m.HandleFunc("GET /stats/export", h.page(true, h.exportCSV))
	m.HandleFunc("GET /stats/releases", h.page(true, h.releases))
	m.HandleFunc("POST /stats/releases", h.page(true, h.makeRelease))
	m.HandleFunc("GET /stats/report", h.page(true, h.report))
}

// deskData is the coordinators' board: what found no provider, the
// emergencies in progress, offers about to expire and the unmet needs.
type deskData struct {
	Board    referral.Board
	Unmet    []referral.UnmetNeed
	UnmetSum int
}

func (h *Handler) desk(q *request) {
	b, err := h.cfg.Referrals.Board(q.ctx())
	if err != nil {
		h.fail(q, err)
		return
	}
	d := deskData{Board: b, Unmet: slices.Clone(b.UnmetNeeds)}
	sort.SliceStable(d.Unmet, func(i, j int) bool { return d.Unmet[i].Count > d.Unmet[j].Count })
	for _, u := range d.Unmet {
		d.UnmetSum += u.Count
	}
	h.render(q, http.StatusOK, "desk", &view{Title: "desk.title", Data: d})
}

// placeData is one unplaced referral with the directory ranked for it.
type placeData struct {
	Referral referral.Referral
	Ranked   []referral.Candidate
	Excluded []referral.Candidate
}

func (h *Handler) deskReferral(q *request) {
	h.showPlacement(q, http.StatusOK, &view{Title: "place.title"})
}

func (h *Handler) showPlacement(q *request, status int, v *view) {
	id := q.r.PathValue("id")
	// The sender reads its referral on its own pages; this one is the desk's.
	if !uuidRe.MatchString(id) || !q.s.hasRole(auth.RoleCoordinator) {
		h.notFound(q)
		return
	}
	ctx := q.ctx()
	r, err := h.cfg.Referrals.GetReferral(ctx, id)
	if err != nil {
		h.fail(q, err)
		return
	}
	d := placeData{Referral: r}
	if r.Status == referral.StatusNoProvider {
		cands, err := h.cfg.Referrals.Candidates(ctx, id)
		if err != nil {
			h.fail(q, err)
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
	h.render(q, status, "desk_referral", v)
}

// place offers an unplaced referral to the provider the coordinator chose.
func (h *Handler) place(q *request) {
	id := q.r.PathValue("id")
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	org := q.r.PostForm.Get("org_id")
	v := &view{Title: "place.title", Form: q.r.PostForm}
	if !uuidRe.MatchString(org) {
		v.Errors.add("org_id", "place.choose")
		h.showPlacement(q, http.StatusUnprocessableEntity, v)
		return
	}
	_, err := h.cfg.Referrals.Place(q.ctx(), id, referral.PlaceInput{OrgID: org})
	switch e := kit.AsError(err); {
	case err == nil:
	case e.Status == http.StatusBadRequest:
		v.Errors.add("org_id", "place.excluded")
		h.showPlacement(q, http.StatusUnprocessableEntity, v)
		return
	case e.Code == referral.CodeGrantRevocationPending:
		v.Errors.add("org_id", "place.revoking")
		h.showPlacement(q, http.StatusConflict, v)
		return
	case e.Code == intake.CodeConsentRequired:
		v.Errors.add("org_id", "place.consent")
		h.showPlacement(q, http.StatusConflict, v)
		return
	default:
		h.fail(q, err)
		return
	}
	q.s.Flash = "place.done"
	h.save(q.w, q.s)
	redirect(q, "/desk")
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

func (h *Handler) directory(q *request) {
	qs := q.r.URL.Query()
	d := directoryData{Service: qs.Get("service"), Region: qs.Get("region"), Services: referral.ServiceTypes,
		Regions: intake.DefaultRegions}
	if !slices.Contains(referral.ServiceTypes, d.Service) {
		d.Service = ""
	}
	if !slices.Contains(intake.DefaultRegions, d.Region) {
		d.Region = ""
	}
	ps, err := h.cfg.Referrals.ListProviders(q.ctx(), d.Service, d.Region)
	if err != nil {
		h.fail(q, err)
		return
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	d.Providers = ps
	h.render(q, http.StatusOK, "desk_providers", &view{Title: "directory.title", Data: d})
}
