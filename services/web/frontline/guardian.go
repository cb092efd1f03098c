package frontline

import (
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral/notices"
	"github.com/nrm-project/nrm/services/web/page"
)

// A guardian finds the children in their care in the notices of their
// appointment: intake tells each guardian, and no one else, of the cases
// they were appointed to (and of a replacement, which ends it).

// childRow is one line of the guardian's list.
type childRow struct {
	Case     intake.Case
	Workflow *intake.Workflow
}

// guardedCases returns the ids of the cases the user was appointed to and
// not replaced on, newest appointment first.
func guardedCases(items []notices.Item) []string {
	var ids []string
	ended := map[string]bool{}
	// Notices come newest first: a replacement after the appointment ends
	// it; an appointment after a replacement starts it again.
	for _, n := range items {
		if n.ObjectType != "case" || !page.IsUUID(n.ObjectID) || ended[n.ObjectID] || slices.Contains(ids, n.ObjectID) {
			continue
		}
		switch n.Kind {
		case notice.KindGuardianReplaced:
			ended[n.ObjectID] = true
		case notice.KindGuardianAppointed:
			ids = append(ids, n.ObjectID)
		}
	}
	return ids
}

func (h *Pages) children(q *page.Request) {
	if h.cfg.Notices == nil {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	inbox, err := h.cfg.Notices.Notices(ctx, notices.Query{Limit: notices.MaxPage})
	if err != nil {
		h.Fail(q, err)
		return
	}
	ids := guardedCases(inbox.Notifications)
	found := make([]*childRow, len(ids))
	page.EachTogether(len(ids), func(i int) {
		c, err := h.cfg.Cases.Get(ctx, ids[i])
		if err != nil {
			return // no longer readable: the appointment ended
		}
		row := &childRow{Case: c}
		if w, err := h.cfg.Cases.Workflow(ctx, ids[i]); err == nil {
			row.Workflow = &w
		}
		found[i] = row
	})
	var rows []childRow
	for _, r := range found {
		if r != nil {
			rows = append(rows, *r)
		}
	}
	h.Render(q, http.StatusOK, "children", &page.View{Title: "guardian.children.title", Data: rows})
}

// childStep is one step of a child's case: what happened or awaits.
type childStep struct {
	Key     string // message key of the step
	State   string // done, now or later
	Outcome string // a decision code, once decided
	Date    string // YYYY-MM-DD: when it is due, or ended
	Note    string // message key of what it waits for
	Overdue bool
}

// childSteps lays out the child's case as its guardian follows it: the
// child-protection referral and the best-interests assessment, then the
// decisions the guardian is consulted on.
func childSteps(w intake.Workflow, today string) []childStep {
	steps := []childStep{{Key: "guardian.step.guardian", State: "done"}}
	cp := childStep{Key: "guardian.step.protection", State: "done"}
	if w.NeedsChildProtectionReferral {
		cp.State, cp.Note = "now", "guardian.step.protection.wait"
	}
	steps = append(steps, cp)
	bia := childStep{Key: "guardian.step.bia", State: "done"}
	switch w.BestInterests {
	case "approved":
	case "recorded":
		bia.State, bia.Note = "now", "guardian.step.bia.recorded"
	default:
		bia.State, bia.Note = "now", "guardian.step.bia.none"
	}
	steps = append(steps, bia)

	decided := func(states ...string) string {
		for i := len(w.History) - 1; i >= 0; i-- {
			if r := w.History[i]; r.Track == "decision" && slices.Contains(states, r.To) {
				return r.To
			}
		}
		return ""
	}
	sub := childStep{Key: "guardian.step.submitted", State: "later"}
	if w.SubmittedAt != nil {
		sub.State, sub.Date = "done", w.SubmittedAt.Format(time.DateOnly)
	}
	rg := childStep{Key: "guardian.step.rg", State: "later", Date: w.RGDue, Overdue: w.Overdue}
	if o := decided(intake.DecisionRGPositive, intake.DecisionRGNegative); o != "" {
		rg.State, rg.Outcome, rg.Overdue = "done", o, false
	} else if w.SubmittedAt != nil {
		rg.State = "now"
		if w.AwaitingSecondDecisionMaker {
			rg.Note = "guardian.step.second"
		}
	}
	steps = append(steps, sub, rg)
	if w.ReflectionEnds != "" {
		st := childStep{Key: "guardian.step.reflection", State: "now", Date: w.ReflectionEnds}
		if w.ReflectionEnds < today {
			st.State = "done"
		}
		steps = append(steps, st)
	}
	cg := childStep{Key: "guardian.step.cg", State: "later"}
	if o := decided(intake.DecisionCGPositive, intake.DecisionCGNegative); o != "" {
		cg.State, cg.Outcome = "done", o
	} else if rg.Outcome == intake.DecisionRGPositive {
		cg.State = "now"
	}
	steps = append(steps, cg)
	if w.DecisionState == intake.DecisionWithdrawn {
		steps = append(steps, childStep{Key: "guardian.step.withdrawn", State: "done", Outcome: intake.DecisionWithdrawn})
	}
	return steps
}

// childPage is the child's case as the guardian may see it.
type childPage struct {
	Case     intake.Case
	Workflow intake.Workflow
	Steps    []childStep
	Sections []section
	Entries  []entry
	Letters  int
}

func (h *Pages) childCase(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	c, err := h.cfg.Cases.Get(ctx, id)
	if err != nil {
		h.Fail(q, err)
		return
	}
	var (
		w      intake.Workflow
		es     []intake.Entry
		wfErr  error
		entErr error
	)
	page.Together(func() { w, wfErr = h.cfg.Cases.Workflow(ctx, id) }, func() { es, entErr = h.cfg.Cases.Entries(ctx, id) })
	if wfErr != nil {
		h.Fail(q, wfErr)
		return
	}
	// Only the child's appointed guardian organisation follows the case
	// here; anyone else reading the case has its own page.
	if !c.TreatedAsChild || w.GuardianOrg != q.S.OrgID {
		h.NotFound(q)
		return
	}
	d := childPage{Case: c, Workflow: w, Steps: childSteps(w, h.Now().Format(time.DateOnly)), Sections: sections(c)}
	if entErr == nil {
		for _, e := range es {
			if len(e.Content) == 0 {
				continue
			}
			if e.Type == "decision_letter" {
				d.Letters++
				continue
			}
			d.Entries = append(d.Entries, entry{Entry: e, Text: entryText(e), Readable: true})
		}
	}
	h.Render(q, http.StatusOK, "child", &page.View{Title: "guardian.child.title", Data: d})
}
