package web

import (
	"net/http"
	"time"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
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

func (h *Handler) referForm(q *request) {
	id := q.r.PathValue("id")
	qs := q.r.URL.Query()
	service, urgency := qs.Get("service"), qs.Get("urgency")
	if urgency == "" {
		urgency = "normal"
	}
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	h.showCandidates(q, id, service, urgency, fieldErrors{})
}

func (h *Handler) showCandidates(q *request, id, service, urgency string, errs fieldErrors) {
	ctx := q.ctx()
	c, err := h.cfg.Cases.Get(ctx, id)
	if err != nil {
		h.fail(q, err)
		return
	}
	d := referData{Case: c, Service: service, Urgency: urgency, Urgencies: referral.Urgencies}
	status := http.StatusOK
	if !contains(referral.ServiceTypes, service) || !contains(referral.Urgencies, urgency) {
		redirect(q, "/cases/%s#refer", id)
		return
	}
	cands, err := h.cfg.Referrals.Route(ctx, referral.RouteQuery{CaseID: id, Service: service, Urgency: urgency})
	if err != nil {
		h.fail(q, err)
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
	h.render(q, status, "refer", &view{Title: "refer.title", Data: d, Errors: errs, Form: q.r.PostForm})
}

func (h *Handler) refer(q *request) {
	id := q.r.PathValue("id")
	f := q.r.PostForm
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	service, urgency, org := f.Get("service"), f.Get("urgency"), f.Get("candidate")
	if !uuidRe.MatchString(org) {
		var e fieldErrors
		e.add("candidate", "refer.choose")
		h.showCandidates(q, id, service, urgency, e)
		return
	}
	_, err := h.cfg.Referrals.CreateReferral(q.ctx(), referral.NewReferral{
		CaseID: id, Service: service, Urgency: urgency, Candidates: []string{org},
	})
	if err != nil {
		h.fail(q, err)
		return
	}
	q.s.Flash = "refer.done"
	h.save(q.w, q.s)
	redirect(q, "/cases/%s#referrals", id)
}

// offer is one line of a provider's inbox: de-identified until accepted.
type offer struct {
	referral.Referral
	Left time.Duration
}

func (h *Handler) inbox(q *request) {
	refs, err := h.cfg.Referrals.Inbox(q.ctx())
	if err != nil {
		h.fail(q, err)
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
	h.render(q, http.StatusOK, "inbox", &view{Title: "inbox.title", Data: map[string][]offer{"Offers": offers, "Caseload": caseload}})
}

func (h *Handler) referralPage(q *request) {
	id := q.r.PathValue("id")
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	r, err := h.cfg.Referrals.GetReferral(q.ctx(), id)
	if err != nil {
		h.fail(q, err)
		return
	}
	o := offer{Referral: r}
	if r.SecondsLeft != nil {
		o.Left = time.Duration(*r.SecondsLeft) * time.Second
	}
	h.render(q, http.StatusOK, "referral", &view{Title: "referral.title", Data: map[string]any{
		"Offer": o, "Reasons": referral.DeclineReasons, "Mine": r.AcceptedOrg == q.s.OrgID,
	}, Form: q.r.PostForm})
}

// referralAction accepts, declines or records a stage of the service.
func (h *Handler) referralAction(q *request) {
	id := q.r.PathValue("id")
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	ctx := q.ctx()
	var err error
	switch q.r.PathValue("action") {
	case "accept":
		_, err = h.cfg.Referrals.Accept(ctx, id)
	case "decline":
		reason := q.r.PostForm.Get("reason")
		if !contains(referral.DeclineReasons, reason) {
			r, gerr := h.cfg.Referrals.GetReferral(ctx, id)
			if gerr != nil {
				h.fail(q, gerr)
				return
			}
			v := &view{Title: "referral.title", Form: q.r.PostForm, Data: map[string]any{
				"Offer": offer{Referral: r}, "Reasons": referral.DeclineReasons}}
			v.Errors.add("reason", "field.choose")
			h.render(q, http.StatusUnprocessableEntity, "referral", v)
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
		h.notFound(q)
		return
	}
	if err != nil {
		h.fail(q, err)
		return
	}
	q.s.Flash = "referral.updated"
	h.save(q.w, q.s)
	redirect(q, "/referrals/%s", id)
}
