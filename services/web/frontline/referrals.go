package frontline

import (
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

// referData is the page choosing a provider for one service.
type referData struct {
	Case       intake.Case
	Service    string
	Urgency    string
	Urgencies  []string
	Candidates []candidate
}

type candidate struct {
	referral.Candidate
	Name string
}

func (h *Pages) referForm(q *page.Request) {
	id := q.R.PathValue("id")
	qs := q.R.URL.Query()
	service, urgency := qs.Get("service"), qs.Get("urgency")
	if urgency == "" {
		urgency = "normal"
	}
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	h.showCandidates(q, id, service, urgency, page.FieldErrors{})
}

func (h *Pages) showCandidates(q *page.Request, id, service, urgency string, errs page.FieldErrors) {
	ctx := q.Ctx()
	c, err := h.cfg.Cases.Get(ctx, id)
	if err != nil {
		h.Fail(q, err)
		return
	}
	d := referData{Case: c, Service: service, Urgency: urgency, Urgencies: referral.Urgencies}
	status := http.StatusOK
	if !slices.Contains(referral.ServiceTypes, service) || !slices.Contains(referral.Urgencies, urgency) {
		page.Redirect(q, "/cases/%s#refer", id)
		return
	}
	cands, err := h.cfg.Referrals.Route(ctx, referral.RouteQuery{CaseID: id, Service: service, Urgency: urgency})
	if err != nil {
		h.Fail(q, err)
		return
	}
	for _, cd := range cands {
		name := ""
		if p, err := h.cfg.Referrals.GetProvider(ctx, cd.OrgID); err == nil {
			name = p.Name
		}
		d.Candidates = append(d.Candidates, candidate{Candidate: cd, Name: name})
	}
	if errs.Any() {
		status = http.StatusUnprocessableEntity
	}
	h.Render(q, status, "refer", &page.View{Title: "refer.title", Data: d, Errors: errs, Form: q.R.PostForm})
}

func (h *Pages) refer(q *page.Request) {
	id := q.R.PathValue("id")
	f := q.R.PostForm
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	service, urgency, org := f.Get("service"), f.Get("urgency"), f.Get("candidate")
	if !page.IsUUID(org) {
		var e page.FieldErrors
		e.Add("candidate", "refer.choose")
		h.showCandidates(q, id, service, urgency, e)
		return
	}
	_, err := h.cfg.Referrals.CreateReferral(q.Ctx(), referral.NewReferral{
		CaseID: id, Service: service, Urgency: urgency, Candidates: []string{org},
	})
	if err != nil {
		h.Fail(q, err)
		return
	}
	q.S.Flash = "refer.done"
	h.Save(q.W, q.S)
	page.Redirect(q, "/cases/%s#referrals", id)
}

// offer is one line of a provider's inbox: de-identified until accepted.
type offer struct {
	referral.Referral
	Left time.Duration
}

func (h *Pages) inbox(q *page.Request) {
	refs, err := h.cfg.Referrals.Inbox(q.Ctx())
	if err != nil {
		h.Fail(q, err)
		return
	}
	var offers, caseload []offer
	for _, r := range refs {
		o := offer{Referral: r}
		if r.SecondsLeft != nil {
			o.Left = time.Duration(*r.SecondsLeft) * time.Second
		}
		if r.Status == referral.StatusPending && (r.OfferStatus == "" || r.OfferStatus == referral.OfferOffered) {
			offers = append(offers, o)
		} else {
			caseload = append(caseload, o)
		}
	}
	h.Render(q, http.StatusOK, "inbox", &page.View{Title: "inbox.title", Data: map[string][]offer{"Offers": offers, "Caseload": caseload}})
}

func (h *Pages) referralPage(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	r, err := h.cfg.Referrals.GetReferral(q.Ctx(), id)
	if err != nil {
		h.Fail(q, err)
		return
	}
	o := offer{Referral: r}
	if r.SecondsLeft != nil {
		o.Left = time.Duration(*r.SecondsLeft) * time.Second
	}
	h.Render(q, http.StatusOK, "referral", &page.View{Title: "referral.title", Data: map[string]any{
		"Offer": o, "Reasons": referral.DeclineReasons, "Mine": r.AcceptedOrg == q.S.OrgID,
	}, Form: q.R.PostForm})
}

// referralAction accepts, declines or records a stage of the service.
func (h *Pages) referralAction(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	var err error
	switch q.R.PathValue("action") {
	case "accept":
		_, err = h.cfg.Referrals.Accept(ctx, id)
	case "decline":
		reason := q.R.PostForm.Get("reason")
		if !slices.Contains(referral.DeclineReasons, reason) {
			r, gerr := h.cfg.Referrals.GetReferral(ctx, id)
			if gerr != nil {
				h.Fail(q, gerr)
				return
			}
			v := &page.View{Title: "referral.title", Form: q.R.PostForm, Data: map[string]any{
				"Offer": offer{Referral: r}, "Reasons": referral.DeclineReasons}}
			v.Errors.Add("reason", "field.choose")
			h.Render(q, http.StatusUnprocessableEntity, "referral", v)
			return
		}
		_, err = h.cfg.Referrals.Decline(ctx, id, referral.DeclineInput{Reason: reason})
	case "arrived":
		_, err = h.cfg.Referrals.Arrive(ctx, id)
	case "completed":
		_, err = h.cfg.Referrals.Complete(ctx, id)
	case "left":
		_, err = h.cfg.Referrals.Leave(ctx, id)
	default:
		h.NotFound(q)
		return
	}
	if err != nil {
		h.Fail(q, err)
		return
	}
	q.S.Flash = "referral.updated"
	h.Save(q.W, q.S)
	page.Redirect(q, "/referrals/%s", id)
}
