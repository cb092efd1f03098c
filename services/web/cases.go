package web

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

func (h *Handler) myCases(q *request) {
	ctx := q.ctx()
	// The cases, and the referrals made with their deadlines, asked for
	// together; then each submitted case's decision deadline (on its
	// decision track), a few at a time.
	var (
		page    intake.CasePage
		listErr error
		sent    []referral.Referral
	)
	together(
		func() { page, listErr = h.cfg.Cases.List(ctx, intake.ListQuery{Limit: 100}) },
		func() { sent, _ = h.cfg.Referrals.Sent(ctx) })
	if listErr != nil {
		h.fail(q, listErr)
		return
	}
	due := make([]*intake.Workflow, len(page.Cases))
	eachTogether(len(page.Cases), func(i int) {
		if c := page.Cases[i]; c.Status == intake.StatusSubmitted {
			if w, err := h.cfg.Cases.Workflow(ctx, c.ID); err == nil {
				due[i] = &w
			}
		}
	})
	byCase := map[string][]referral.Referral{}
	for _, r := range sent {
		byCase[r.CaseID] = append(byCase[r.CaseID], r)
	}
	rows := make([]caseRow, 0, len(page.Cases))
	for i, c := range page.Cases {
		row := caseRow{Case: c, Next: nextStep(c, byCase[c.ID]), Referrals: byCase[c.ID]}
		if w := due[i]; w != nil {
			row.Due, row.Overdue = w.RGDue, w.Overdue
		}
		rows = append(rows, row)
	}
	h.render(q, http.StatusOK, "cases", &view{Title: "cases.title", Data: rows})
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

func (h *Handler) casePage(q *request) {
	h.casePageWith(q, q.r.PathValue("id"), &view{}, http.StatusOK)
}

// casePageWith renders the case page into v (a form's values and errors
// after a failed post) with status.
func (h *Handler) casePageWith(q *request, id string, v *view, status int) {
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	ctx := q.ctx()
	// The case, its tracks and its record: one read, audited once.
	cv, err := h.cfg.Cases.CaseView(ctx, id, intake.CaseParts{Workflow: true, Entries: true})
	if err != nil {
		h.fail(q, err)
		return
	}
	c := cv.Case
	if c.Status == intake.StatusDraft {
		redirect(q, "/cases/new?draft=%s", c.ID)
		return
	}
	d := casePageData{Case: c, Owner: c.OwnerOrg == q.s.OrgID, Services: referral.ServiceTypes, Workflow: cv.Workflow}
	d.CanSubmit = d.Owner && c.Route == intake.RouteNRM && c.Status == intake.StatusRegistered &&
		q.s.hasRole(auth.RoleFrontlineOfficer)
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
		if c.TreatedAsChild && q.s.hasRole(auth.RoleFrontlineOfficer) {
			guardiansOf = func() { d.Guardians = h.guardianOrgs(q, id) }
		}
	}
	together(sentOf, guardiansOf)
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
	h.render(q, status, "case", v)
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

func (h *Handler) addNote(q *request) {
	id := q.r.PathValue("id")
	text := strings.TrimSpace(q.r.PostForm.Get("text"))
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	if text == "" || utf8.RuneCountInString(text) > maxNote {
		q.s.Flash = "note.invalid"
		h.save(q.w, q.s)
		redirect(q, "/cases/%s#note", id)
		return
	}
	content, _ := json.Marshal(map[string]string{"text": text})
	if _, err := h.cfg.Cases.AddEntry(q.ctx(), id, intake.EntryInput{Type: intake.EntryNote, Content: content}); err != nil {
		h.fail(q, err)
		return
	}
	q.s.Flash = "note.added"
	h.save(q.w, q.s)
	redirect(q, "/cases/%s#record", id)
}

func (h *Handler) submit(q *request) {
	id := q.r.PathValue("id")
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	// Submission is the decision track's first move: it grants the
	// competent authority and starts the decision's deadline.
	if _, err := h.cfg.Cases.Transition(q.ctx(), id, intake.TransitionRequest{To: intake.DecisionSubmitted}); err != nil {
		if st := kit.AsError(err).Status; st == http.StatusConflict || st == http.StatusBadRequest || st == http.StatusUnprocessableEntity {
			q.s.Flash = "submit.refused"
			h.save(q.w, q.s)
			redirect(q, "/cases/%s", id)
			return
		}
		h.fail(q, err)
		return
	}
	q.s.Flash = "submit.done"
	h.save(q.w, q.s)
	redirect(q, "/cases/%s", id)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
