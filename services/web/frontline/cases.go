package frontline

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

// maxNote bounds a note typed on the case page (the API allows more).
const maxNote = 8000

// caseRow is one line of "my cases".
type caseRow struct {
	intake.Case
	Next      string // message key of the next step
	Referrals []referral.Referral
	Due       string // the reasonable-grounds decision's due date, once submitted
	Overdue   bool
}

func (h *Pages) myCases(q *page.Request) {
	ctx := q.Ctx()
	// The cases, and the referrals made with their deadlines, asked for
	// together; then each submitted case's decision deadline (on its
	// decision track), a few at a time.
	var (
		list    intake.CasePage
		listErr error
		sent    []referral.Referral
	)
	page.Together(
		func() { list, listErr = h.cfg.Cases.List(ctx, intake.ListQuery{Limit: 100}) },
		func() { sent, _ = h.cfg.Referrals.Sent(ctx) })
	if listErr != nil {
		h.Fail(q, listErr)
		return
	}
	due := make([]*intake.Workflow, len(list.Cases))
	page.EachTogether(len(list.Cases), func(i int) {
		if c := list.Cases[i]; c.Status == intake.StatusSubmitted {
			if w, err := h.cfg.Cases.Workflow(ctx, c.ID); err == nil {
				due[i] = &w
			}
		}
	})
	byCase := map[string][]referral.Referral{}
	for _, r := range sent {
		byCase[r.CaseID] = append(byCase[r.CaseID], r)
	}
	rows := make([]caseRow, 0, len(list.Cases))
	for i, c := range list.Cases {
		row := caseRow{Case: c, Next: nextStep(c, byCase[c.ID]), Referrals: byCase[c.ID]}
		if w := due[i]; w != nil {
			row.Due, row.Overdue = w.RGDue, w.Overdue
		}
		rows = append(rows, row)
	}
	h.Render(q, http.StatusOK, "cases", &page.View{Title: "cases.title", Data: rows})
}

// nextStep is what the officer has to do next for c.
func nextStep(c intake.Case, refs []referral.Referral) string {
	switch {
	case c.Status == intake.StatusDraft:
		return "next.finish"
	case len(refs) == 0 && len(c.Needs) > 0:
		return "next.refer"
	case c.Route == intake.RouteNRM && c.Status == intake.StatusRegistered:
		return "next.submit"
	case c.Status == intake.StatusSubmitted:
		return "next.decision"
	default:
		return "next.follow"
	}
}

// casePageData is the case page: what the caller may read of the case.
type casePageData struct {
	Case      intake.Case
	Workflow  *intake.Workflow
	Sections  []section
	Entries   []entry
	Referrals []referral.Referral
	Services  []string
	Owner     bool
	CanSubmit bool
	Letters   int
	// Guardians are the child-protection organisations a child's guardian
	// may be appointed from, for the owner's officer.
	Guardians []referral.Candidate
	// GuardianKey names one filling of the guardian form: sent with the
	// appointment as its Idempotency-Key, as the registration form's, so
	// a form submitted twice appoints once.
	GuardianKey string
}

type section struct {
	Name   string
	Fields []field
}

type field struct {
	Name  string // the API's JSON name, translated as a label
	Value string
}

type entry struct {
	intake.Entry
	Text     string
	Readable bool
}

func (h *Pages) casePage(q *page.Request) {
	h.casePageWith(q, q.R.PathValue("id"), &page.View{}, http.StatusOK)
}

// casePageWith renders the case page into v (a form's values and errors
// after a failed post) with status.
func (h *Pages) casePageWith(q *page.Request, id string, v *page.View, status int) {
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	// The case, its tracks and its record: one read, audited once.
	cv, err := h.cfg.Cases.CaseView(ctx, id, intake.CaseParts{Workflow: true, Entries: true})
	if err != nil {
		h.Fail(q, err)
		return
	}
	c := cv.Case
	if c.Status == intake.StatusDraft {
		page.Redirect(q, "/cases/new?draft=%s", c.ID)
		return
	}
	d := casePageData{Case: c, Owner: c.OwnerOrg == q.S.OrgID, Services: referral.ServiceTypes, Workflow: cv.Workflow}
	d.CanSubmit = d.Owner && c.Route == intake.RouteNRM && c.Status == intake.StatusRegistered &&
		q.S.HasRole(auth.RoleFrontlineOfficer)
	d.Sections = sections(c)
	// The case is readable: the rest is asked for together.
	var (
		es          = cv.Entries
		sent        []referral.Referral
		sentOf      func()
		guardiansOf func()
	)
	if d.Owner {
		sentOf = func() { sent, _ = h.cfg.Referrals.Sent(ctx) }
		if c.TreatedAsChild && q.S.HasRole(auth.RoleFrontlineOfficer) {
			guardiansOf = func() { d.Guardians = h.guardianOrgs(q, id) }
			// Kept when the form is shown again with its errors.
			if d.GuardianKey = v.Form.Get("idempotency_key"); d.GuardianKey == "" {
				d.GuardianKey = page.RandomToken()
			}
		}
	}
	page.Together(sentOf, guardiansOf)
	for _, e := range es {
		x := entry{Entry: e, Readable: len(e.Content) > 0}
		x.Text = entryText(e)
		if e.Type == "decision_letter" {
			d.Letters++
		}
		d.Entries = append(d.Entries, x)
	}
	for _, r := range sent {
		if r.CaseID == id {
			d.Referrals = append(d.Referrals, r)
		}
	}
	v.Title, v.Data = "case.title", d
	h.Render(q, status, "case", v)
}

// sections lists the readable sections' fields in a fixed order.
func sections(c intake.Case) []section {
	order := []string{"identity", "narrative", "health", "legal"}
	var out []section
	for _, name := range order {
		raw, ok := c.Sections[name]
		if !ok {
			continue
		}
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s := section{Name: name}
		for _, k := range keys {
			s.Fields = append(s.Fields, field{Name: name + "." + k, Value: textOf(m[k])})
		}
		out = append(out, s)
	}
	return out
}

func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			parts = append(parts, textOf(p))
		}
		return strings.Join(parts, "; ")
	case nil:
		return ""
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// entryText is the readable text of an entry: its "text" field, or its
// content as it is.
func entryText(e intake.Entry) string {
	if len(e.Content) == 0 {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(e.Content, &m) != nil {
		return string(e.Content)
	}
	if t, ok := m["text"].(string); ok {
		return t
	}
	return textOf(m)
}

func (h *Pages) addNote(q *page.Request) {
	id := q.R.PathValue("id")
	text := strings.TrimSpace(q.R.PostForm.Get("text"))
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	if text == "" || utf8.RuneCountInString(text) > maxNote {
		q.S.Flash = "note.invalid"
		h.Save(q.W, q.S)
		page.Redirect(q, "/cases/%s#note", id)
		return
	}
	content, _ := json.Marshal(map[string]string{"text": text})
	if _, err := h.cfg.Cases.AddEntry(q.Ctx(), id, intake.EntryInput{Type: intake.EntryNote, Content: content}); err != nil {
		h.Fail(q, err)
		return
	}
	q.S.Flash = "note.added"
	h.Save(q.W, q.S)
	page.Redirect(q, "/cases/%s#record", id)
}

func (h *Pages) submit(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	// Submission is the decision track's first move: it grants the
	// competent authority and starts the decision's deadline.
	if _, err := h.cfg.Cases.Transition(q.Ctx(), id, intake.TransitionRequest{To: intake.DecisionSubmitted}); err != nil {
		if st := kit.AsError(err).Status; st == http.StatusConflict || st == http.StatusBadRequest || st == http.StatusUnprocessableEntity {
			q.S.Flash = "submit.refused"
			h.Save(q.W, q.S)
			page.Redirect(q, "/cases/%s", id)
			return
		}
		h.Fail(q, err)
		return
	}
	q.S.Flash = "submit.done"
	h.Save(q.W, q.S)
	page.Redirect(q, "/cases/%s", id)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
