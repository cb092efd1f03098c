package intake

import (
	"context"
	"database/sql"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
)

// ReportOverdue reports, once each, the cases whose reasonable-grounds
// decision is past its target date (submitted or awaiting information on
// the day after rg_due): a de-identified "overdue" fact for statistics and
// an audit event. nrm serve runs it every few minutes; it returns how many
// cases it reported.
func (a *Admin) ReportOverdue(ctx context.Context, now time.Time) (int, error) {
	s := a.s
	ctx = auth.WithPrincipal(ctx, auth.ServicePrincipal("intake"))
	today := now.UTC().Format(time.DateOnly)
	ids, err := s.store.OverdueCases(ctx, today)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		reported := false
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			first, err := s.store.MarkOverdueReported(ctx, tx, id)
			if err != nil || !first {
				return err // another replica reported it
			}
			c, err := s.store.CaseByID(ctx, tx, id, false)
			if err != nil {
				return err
			}
			f := s.workflowFact(facts.Overdue, c)
			f.Outcome = "rg_overdue"
			reported = true
			if err := s.tellOverdue(ctx, tx, id); err != nil {
				return err
			}
			return s.emitWorkflow(ctx, tx, []facts.Event{f},
				s.rec.New(ctx, "intake.decision.overdue", "case", id, event.Allowed))
		})
		if err != nil {
			return n, err
		}
		if reported {
			n++
		}
	}
	return n, nil
}
