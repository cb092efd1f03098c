package workflow

import (
	"context"
	"database/sql"
	"sort"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// DecisionQueue implements Service.
func (tr *Tracks) DecisionQueue(ctx context.Context) ([]casefile.QueueItem, error) {
	p, _, err := tr.cw.CallerOrg(ctx)
	if err != nil {
		return nil, err
	}
	if !p.HasRole(auth.RoleDecisionMaker) {
		return nil, kit.ErrForbidden
	}
	now := tr.now()
	out := []casefile.QueueItem{}
	err = tr.store.ReadTx(ctx, func(tx *sql.Tx) error {
		ids, err := tr.store.DecidingCases(ctx, tx, p.OrgID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tr.store.CaseByID(ctx, tx, id, false)
			if err != nil {
				return err
			}
			w, err := tr.store.Workflow(ctx, tx, c)
			if err != nil {
				return err
			}
			item := casefile.QueueItem{CaseID: c.ID, Reference: c.Reference, DecisionState: w.DecisionState,
				Proposal: w.ProposalTo, AwaitsYou: w.ProposalTo != "" && w.ProposalBy != p.UserID, TreatedAsChild: c.TreatedAsChild}
			switch w.DecisionState {
			case casefile.DecisionSubmitted, casefile.DecisionInfoRequested:
				item.Due, item.Overdue = w.RGDue, rgOverdue(w, now)
			case casefile.DecisionRGPositive:
				item.Due = w.ReflectionEnds
			default:
				continue
			}
			out = append(out, item)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Proposals awaiting the caller first, then overdue, then by
	// deadline; an unknown deadline (submitted before the workflow
	// existed) last.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.AwaitsYou != b.AwaitsYou {
			return a.AwaitsYou
		}
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		if (a.Due == "") != (b.Due == "") {
			return b.Due == ""
		}
		return a.Due < b.Due
	})
	if err := tr.cw.AuditAlone(ctx, tr.rec.New(ctx, "intake.decision.queue", "case", "", event.Allowed)); err != nil {
		return nil, err
	}
	return out, nil
}
