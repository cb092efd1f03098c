package frontline

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/web/page"
)

// maxReason bounds a decision's reasons typed on the page.
const maxReason = 8000

func (h *Pages) queue(q *page.Request) {
	items, err := h.cfg.Cases.DecisionQueue(q.Ctx())
	if err != nil {
		h.Fail(q, err)
		return
	}
	h.Render(q, http.StatusOK, "queue", &page.View{Title: "queue.title", Data: items})
}

// decide records a decision with its reasons (a negative one is a
// proposal until a second decision maker confirms it).
func (h *Pages) decide(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	f := q.R.PostForm
	to, reason := f.Get("to"), strings.TrimSpace(f.Get("reason"))
	if to == "" || reason == "" || utf8.RuneCountInString(reason) > maxReason {
		q.S.Flash = "decision.invalid"
		h.Save(q.W, q.S)
		page.Redirect(q, "/cases/%s#decision", id)
		return
	}
	if _, err := h.cfg.Cases.Transition(q.Ctx(), id, intake.TransitionRequest{To: to, Reason: reason}); err != nil {
		if st := kit.AsError(err).Status; st == http.StatusConflict || st == http.StatusBadRequest {
			q.S.Flash = "decision.refused"
			h.Save(q.W, q.S)
			page.Redirect(q, "/cases/%s#decision", id)
			return
		}
		h.Fail(q, err)
		return
	}
	q.S.Flash = "decision.done"
	h.Save(q.W, q.S)
	page.Redirect(q, "/cases/%s#decision", id)
}

// letter is a decision letter in the person's language.
type letter struct {
	Lang, Dir, Decision, Text string
	entry
}

func (h *Pages) letters(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	es, err := h.cfg.Cases.Entries(q.Ctx(), id)
	if err != nil {
		h.Fail(q, err)
		return
	}
	var out []letter
	for _, e := range es {
		if e.Type != "decision_letter" || len(e.Content) == 0 {
			continue
		}
		var c struct{ Language, Decision, Text string }
		_ = jsonUnmarshal(e.Content, &c)
		dir := "ltr"
		if c.Language == "ar" {
			dir = "rtl"
		}
		out = append(out, letter{Lang: c.Language, Dir: dir, Decision: c.Decision, Text: c.Text, entry: entry{Entry: e}})
	}
	h.Render(q, http.StatusOK, "letters", &page.View{Title: "letters.title", Data: map[string]any{"CaseID": id, "Letters": out}})
}
