package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
)

// maxReason bounds a decision's reasons typed on the page.
const maxReason = 8000

func (h *Handler) queue(q *request) {
	items, err := h.cfg.Cases.DecisionQueue(q.ctx())
	if err != nil {
		h.fail(q, err)
		return
	}
	h.render(q, http.StatusOK, "queue", &view{Title: "queue.title", Data: items})
}

// decide records a decision with its reasons (a negative one is a
// proposal until a second decision maker confirms it).
func (h *Handler) decide(q *request) {
	id := q.r.PathValue("id")
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	f := q.r.PostForm
	to, reason := f.Get("to"), strings.TrimSpace(f.Get("reason"))
	if to == "" || reason == "" || utf8.RuneCountInString(reason) > maxReason {
		q.s.Flash = "decision.invalid"
		h.save(q.w, q.s)
		redirect(q, "/cases/%s#decision", id)
		return
	}
	if _, err := h.cfg.Cases.Transition(q.ctx(), id, intake.TransitionRequest{To: to, Reason: reason}); err != nil {
		if st := kit.AsError(err).Status; st == http.StatusConflict || st == http.StatusBadRequest {
			q.s.Flash = "decision.refused"
			h.save(q.w, q.s)
			redirect(q, "/cases/%s#decision", id)
			return
		}
		h.fail(q, err)
		return
	}
	q.s.Flash = "decision.done"
	h.save(q.w, q.s)
	redirect(q, "/cases/%s#decision", id)
}

// letter is a decision letter in the person's language.
type letter struct {
	Lang, Dir, Decision, Text string
	entry
}

func (h *Handler) letters(q *request) {
	id := q.r.PathValue("id")
	if !uuidRe.MatchString(id) {
		h.notFound(q)
		return
	}
	es, err := h.cfg.Cases.Entries(q.ctx(), id)
	if err != nil {
		h.fail(q, err)
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
	h.render(q, http.StatusOK, "letters", &view{Title: "letters.title", Data: map[string]any{"CaseID": id, "Letters": out}})
}
