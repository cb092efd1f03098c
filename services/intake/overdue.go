package intake

import (
	"context"
	"database/sql"
	"fmt"
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
	rows, err := s.db.QueryContext(ctx, `SELECT case_id FROM case_workflow
		WHERE decision_state IN ('submitted', 'info_requested') AND rg_due <> '' AND rg_due < $1
		AND NOT overdue_reported ORDER BY rg_due`, today)
	if err != nil {
		return 0, fmt.Errorf("intake: overdue: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("intake: overdue: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("intake: overdue: %w", err)
	}
	n := 0
	for _, id := range ids {
		reported := false
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE case_workflow SET overdue_reported = TRUE
				WHERE case_id = $1 AND NOT overdue_reported`, id)
			if err != nil {
				return fmt.Errorf("intake: overdue: %w", err)
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
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
