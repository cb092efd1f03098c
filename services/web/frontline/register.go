package frontline

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/web/page"
)

// The registration form's field names are the API's JSON names
// (identified_on, identity.full_name, consent.data_sharing…): one contract.

var (
	dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	// apiFieldRe finds the field an intake validation message is about.
	apiFieldRe = regexp.MustCompile(`^([a-z_]+(?:\.[a-z_]+)?)(?:\[\d+\])?:`)
)

// registrationData is what the form shows: the codes to choose from.
type registrationData struct {
	DraftID string
	// IdempotencyKey names one filling of the form: sent with the
	// registration as its Idempotency-Key, so a form submitted twice (a
	// double click, a resend after a lost answer) registers one case.
	IdempotencyKey       string
	Routes               []string
	Regions              []string
	Genders              []string
	AgeGroups            []string
	ExploitationTypes    []string
	ExploitationLocation []string
	Indicators           []string
	Needs                []string
	RiskLevels           []string
	Today                string
}

func (h *Pages) registrationData(draftID string) registrationData {
	return registrationData{
		DraftID: draftID, Routes: intake.Routes.Codes(), Regions: append(intake.DefaultRegions, "abroad"),
		Genders: intake.Genders.Codes(), AgeGroups: intake.AgeGroups.Codes(),
		ExploitationTypes: intake.ExploitationTypes.Codes(), ExploitationLocation: intake.ExploitationLocations.Codes(),
		Indicators: intake.Indicators.Codes(), Needs: intake.Needs.Codes(), RiskLevels: intake.RiskLevels.Codes(),
		Today: h.Now().Format(time.DateOnly),
	}
}

// registrationForm shows a new form, or a saved draft's.
func (h *Pages) registrationForm(q *page.Request) {
	id := q.R.URL.Query().Get("draft")
	v := &page.View{Title: "register.title", Form: url.Values{}}
	if id != "" {
		if !page.IsUUID(id) {
			h.NotFound(q)
			return
		}
		c, err := h.cfg.Cases.Get(q.Ctx(), id)
		if err != nil {
			h.Fail(q, err)
			return
		}
		if c.Status != intake.StatusDraft {
			page.Redirect(q, "/cases/%s", c.ID)
			return
		}
		v.Form = caseForm(c)
	} else {
		v.Form.Set("identified_on", h.Now().Format(time.DateOnly))
	}
	data := h.registrationData(id)
	data.IdempotencyKey = page.RandomToken()
	v.Data = data
	h.Render(q, http.StatusOK, "register", v)
}

// register saves a draft (action=draft) or registers the case. Every
// field's problem is shown at once, beside the field.
func (h *Pages) register(q *page.Request) {
	f := q.R.PostForm
	draftID := f.Get("draft_id")
	if draftID != "" && !page.IsUUID(draftID) {
		h.NotFound(q)
		return
	}
	draft := f.Get("action") == "draft"
	reg := formRegistration(f)
	data := h.registrationData(draftID)
	data.IdempotencyKey = f.Get("idempotency_key") // kept when the form is shown again
	v := &page.View{Title: "register.title", Form: f, Data: data}
	h.validateRegistration(&v.Errors, f, reg, draft)
	if v.Errors.Any() {
		h.Render(q, http.StatusUnprocessableEntity, "register", v)
		return
	}
	ctx := q.Ctx()
	var (
		c   intake.Case
		err error
	)
	switch {
	case draftID == "":
		reg.Draft = draft
		c, err = h.registerOnce(ctx, data.IdempotencyKey, reg)
	default:
		reg.Draft = true
		c, err = h.cfg.Cases.UpdateDraft(ctx, draftID, reg)
		if err == nil && !draft {
			c, err = h.cfg.Cases.Finalize(ctx, draftID)
		}
	}
	if err != nil {
		e := kit.AsError(err)
		if e.Status == http.StatusBadRequest {
			field := "form"
			if m := apiFieldRe.FindStringSubmatch(e.Message); m != nil {
				field = m[1]
			}
			v.Errors.Add(field, "field.invalid")
			h.Render(q, http.StatusUnprocessableEntity, "register", v)
			return
		}
		h.Fail(q, err)
		return
	}
	if draft {
		q.S.Flash = "register.draftsaved"
		h.Save(q.W, q.S)
		page.Redirect(q, "/cases/new?draft=%s", c.ID)
		return
	}
	q.S.Flash = "register.done"
	h.Save(q.W, q.S)
	page.Redirect(q, "/cases/%s", c.ID)
}

// registerOnce registers reg under the form's key, if it has one. The
// second of two submissions of one form, sent while the first is still
// being written, waits for it and then gets its case, rather than a
// refusal the officer could take for a failed registration.
func (h *Pages) registerOnce(ctx context.Context, key string, reg intake.Registration) (intake.Case, error) {
	return onceWithKey(ctx, key, func(ctx context.Context) (intake.Case, error) { return h.cfg.Cases.Register(ctx, reg) })
}

// onceWithKey carries out a form's write under the form's key, if it has
// one (see registerOnce).
func onceWithKey[T any](ctx context.Context, key string, write func(context.Context) (T, error)) (T, error) {
	if key != "" {
		ctx = idempotency.WithKey(ctx, key)
	}
	for wait := 0; ; wait++ {
		c, err := write(ctx)
		if kit.AsError(err).Code != idempotency.CodeKeyInUse || wait == keyInUseWaits {
			return c, err
		}
		select {
		case <-ctx.Done():
			return c, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// keyInUseWaits bounds how long (in tenths of a second) a second
// submission waits for the first.
const keyInUseWaits = 50

// validateRegistration checks what the pages can check, all at once; the
// service checks everything again.
func (h *Pages) validateRegistration(e *page.FieldErrors, f url.Values, r intake.Registration, draft bool) {
	if !intake.Routes.Has(r.Route) {
		e.Add("route", "field.choose")
	}
	if r.IdentifiedOn == "" && !draft {
		e.Add("identified_on", "field.required")
	} else if r.IdentifiedOn != "" {
		if d, err := time.Parse(time.DateOnly, r.IdentifiedOn); err != nil || !dateRe.MatchString(r.IdentifiedOn) {
			e.Add("identified_on", "field.date")
		} else if d.After(h.Now()) {
			e.Add("identified_on", "field.future")
		}
	}
	one := func(field, v string, ok bool) {
		switch {
		case v == "" && !draft:
			e.Add(field, "field.choose")
		case v != "" && !ok:
			e.Add(field, "field.invalid")
		}
	}
	regions := h.registrationData("").Regions
	one("region", r.Region, slices.Contains(regions, r.Region))
	one("gender", r.Gender, intake.Genders.Has(r.Gender))
	one("age_group", r.AgeGroup, intake.AgeGroups.Has(r.AgeGroup))
	if s := f.Get("birth_year"); s != "" {
		if y, err := strconv.Atoi(s); err != nil || y < 1900 || y > h.Now().Year() {
			e.Add("birth_year", "field.year")
		}
	}
	many := func(field string, codes []string, has func(string) bool) {
		if len(codes) == 0 && !draft {
			e.Add(field, "field.chooseone")
		}
		for _, c := range codes {
			if !has(c) {
				e.Add(field, "field.codes")
			}
		}
	}
	many("nationalities", r.Nationalities, intake.Nationalities.Has)
	many("exploitation_types", r.ExploitationTypes, intake.ExploitationTypes.Has)
	one("exploitation_location", r.ExploitationLocation, intake.ExploitationLocations.Has(r.ExploitationLocation))
	many("needs", r.Needs, intake.Needs.Has)
	many("languages", r.Languages, intake.Languages.Has)
	if s := f.Get("dependants"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 50 {
			e.Add("dependants", "field.dependants")
		}
	}
	if s := r.Consent.ExplainedIn; s != "" && !intake.Languages.Has(s) {
		e.Add("consent.explained_in", "field.codes")
	}
	if s := f.Get("identity.date_of_birth"); s != "" {
		if _, err := time.Parse(time.DateOnly, s); err != nil && !regexp.MustCompile(`^\d{4}$`).MatchString(s) {
			e.Add("identity.date_of_birth", "field.dob")
		}
	}
	if r.Route == intake.RouteAnonymous && (r.Identity != nil) {
		e.Add("identity.full_name", "register.anonymous.noidentity")
	}
}

// formRegistration reads the form into the API's registration.
func formRegistration(f url.Values) intake.Registration {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	r := intake.Registration{
		Route: get("route"), IdentifiedOn: get("identified_on"), Region: get("region"), Gender: get("gender"),
		AgeGroup: get("age_group"), AgeDisputed: f.Get("age_disputed") == "true",
		Nationalities: codeList(f.Get("nationalities"), strings.ToUpper), ExploitationTypes: f["exploitation_types"],
		ExploitationLocation: get("exploitation_location"), Indicators: f["indicators"], Needs: f["needs"],
		Languages: codeList(f.Get("languages"), strings.ToLower), RiskLevel: get("risk_level"),
		Consent: intake.ConsentInput{
			Assistance: f.Get("consent.assistance") == "true", NRMReferral: f.Get("consent.nrm_referral") == "true",
			DataSharing: f.Get("consent.data_sharing") == "true", ExplainedIn: strings.ToLower(get("consent.explained_in")),
			Interpreter: f.Get("consent.interpreter") == "true",
		},
	}
	r.BirthYear, _ = strconv.Atoi(get("birth_year"))
	r.Dependants, _ = strconv.Atoi(get("dependants"))
	if id := (intake.IdentityInfo{FullName: get("identity.full_name"), DateOfBirth: get("identity.date_of_birth"),
		Contacts: get("identity.contacts"), Documents: get("identity.documents"),
		NameVariants: lines(f.Get("identity.name_variants"))}); id.FullName != "" || id.DateOfBirth != "" ||
		id.Contacts != "" || id.Documents != "" || len(id.NameVariants) > 0 {
		r.Identity = &id
	}
	if s := get("narrative.account"); s != "" {
		r.Narrative = &intake.NarrativeInfo{Account: s}
	}
	if s := get("health.notes"); s != "" {
		r.Health = &intake.HealthInfo{Notes: s}
	}
	if l := (intake.LegalInfo{Notes: get("legal.notes"), ImmigrationStatus: get("legal.immigration_status"),
		Proceedings: get("legal.proceedings")}); l != (intake.LegalInfo{}) {
		r.Legal = &l
	}
	return r
}

// caseForm is a saved draft as form values.
func caseForm(c intake.Case) url.Values {
	f := url.Values{}
	set := func(k, v string) {
		if v != "" {
			f.Set(k, v)
		}
	}
	set("route", c.Route)
	set("identified_on", c.IdentifiedOn)
	set("region", c.Region)
	set("gender", c.Gender)
	set("age_group", c.AgeGroup)
	if c.AgeDisputed {
		f.Set("age_disputed", "true")
	}
	if c.BirthYear > 0 {
		f.Set("birth_year", strconv.Itoa(c.BirthYear))
	}
	if c.Dependants > 0 {
		f.Set("dependants", strconv.Itoa(c.Dependants))
	}
	set("nationalities", strings.Join(c.Nationalities, ", "))
	set("languages", strings.Join(c.Languages, ", "))
	f["exploitation_types"], f["indicators"], f["needs"] = c.ExploitationTypes, c.Indicators, c.Needs
	set("exploitation_location", c.ExploitationLocation)
	set("risk_level", c.RiskLevel)
	for _, cs := range c.Consents {
		purpose := map[string]string{intake.PurposeAssistance: "consent.assistance",
			intake.PurposeNRMSubmission: "consent.nrm_referral", intake.PurposeDataSharing: "consent.data_sharing"}[cs.Purpose]
		if purpose != "" && cs.Granted {
			f.Set(purpose, "true")
		}
		set("consent.explained_in", cs.ExplainedIn)
		if cs.Interpreter {
			f.Set("consent.interpreter", "true")
		}
	}
	var (
		id  intake.IdentityInfo
		nar intake.NarrativeInfo
		hl  intake.HealthInfo
		lg  intake.LegalInfo
	)
	_ = json.Unmarshal(c.Sections["identity"], &id)
	_ = json.Unmarshal(c.Sections["narrative"], &nar)
	_ = json.Unmarshal(c.Sections["health"], &hl)
	_ = json.Unmarshal(c.Sections["legal"], &lg)
	set("identity.full_name", id.FullName)
	set("identity.date_of_birth", id.DateOfBirth)
	set("identity.contacts", id.Contacts)
	set("identity.documents", id.Documents)
	set("identity.name_variants", strings.Join(id.NameVariants, "\n"))
	set("narrative.account", nar.Account)
	set("health.notes", hl.Notes)
	set("legal.notes", lg.Notes)
	set("legal.immigration_status", lg.ImmigrationStatus)
	set("legal.proceedings", lg.Proceedings)
	return f
}

// codeList splits "NG, fr ma" into codes, normalised by norm.
func codeList(s string, norm func(string) string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
		if c = strings.TrimSpace(c); c != "" {
			if c != "stateless" && c != "unknown" {
				c = norm(c)
			}
			out = append(out, c)
		}
	}
	return out
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
