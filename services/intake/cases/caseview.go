package cases

import (
	"context"
	"database/sql"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake/store"
)

// CaseParts names what a case view carries beside the case itself.
type CaseParts struct {
	Workflow bool // both tracks, as Workflow answers them
	Entries  bool // the case record, as Entries answers it
}

// CaseView is a case read at once with the parts asked for: what the
// case page shows. Workflow and Entries are empty when not asked for and
// for a draft (which has neither).
type CaseView struct {
	Case     Case      `json:"case"`
	Workflow *Workflow `json:"workflow,omitempty"`
	Entries  []Entry   `json:"entries,omitempty"`
}

// action is the audit action of a view with parts: it names what was
// read, the case and the tracks and record when they were.
func (parts CaseParts) action() string {
	words := []string{"case"}
	if parts.Workflow {
		words = append(words, "tracks")
	}
	if parts.Entries {
		words = append(words, "record")
	}
	return "intake." + strings.Join(words, "_") + ".read"
}

// CaseView reads the case with the sections the caller may read and the
// parts asked for, in one snapshot and under one audit event naming them
// all, which is durably in the outbox before anything is opened. What each
// part holds is exactly what Get, Workflow and Entries answer the caller;
// a draft is answered alone (it has no tracks or record yet), and its
// event names the case only.
func (s *Cases) CaseView(ctx context.Context, id string, parts CaseParts) (CaseView, error) {
	v, err := s.caseView(ctx, id, parts)
	s.metrics.Reads.WithLabelValues(outcome(ctx, err)).Inc()
	return v, err
}

func (s *Cases) caseView(ctx context.Context, id string, parts CaseParts) (CaseView, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return CaseView{}, err
	}
	var (
		snap     store.Snapshot
		r        caseRead
		w        store.WorkflowRow
		history  []DecisionRecord
		stored   []store.StoredEntry
		withPart bool
	)
	err = s.store.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		if snap, err = s.store.SnapshotIn(ctx, tx, id, p.OrgID); err != nil {
			return err
		}
		if r, err = s.readable(p, snap); err != nil {
			return err
		}
		if withPart = r.snap.Row.Status != StatusDraft; !withPart {
			return nil
		}
		if parts.Workflow {
			if w, err = s.store.Workflow(ctx, tx, r.snap.Row.CaseRow); err != nil {
				return err
			}
			if history, err = s.store.Decisions(ctx, tx, id); err != nil {
				return err
			}
		}
		if parts.Entries {
			stored, err = s.store.Entries(ctx, tx, id, p.OrgID)
		}
		return err
	})
	if err != nil {
		// A refusal names what was asked for.
		return CaseView{}, s.finishRead(ctx, err, parts.action(), id)
	}
	if !withPart {
		parts = CaseParts{}
	}
	action := parts.action()
	// Fail closed: one event for the whole read, in the outbox before any
	// section or entry is opened.
	if err := s.auditAlone(ctx, s.rec.New(ctx, action, "case", id, event.Allowed)); err != nil {
		return CaseView{}, err
	}
	c, err := s.openCase(ctx, r)
	if err != nil {
		return CaseView{}, err
	}
	out := CaseView{Case: c}
	if parts.Workflow {
		wf := s.cw.WorkflowView(p, r.snap.Row.CaseRow, w, r.snap.Grants, r.snap.Consents, history)
		out.Workflow = &wf
	}
	if parts.Entries {
		if out.Entries, err = s.cw.Record(ctx, p, r.snap.Row.CaseRow, r.snap.Grants, stored); err != nil {
			return CaseView{}, err
		}
	}
	return out, nil
}
