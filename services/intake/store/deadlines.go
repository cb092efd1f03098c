package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Due is a decision deadline of a case: the track (rg or cg) and its date.
type Due struct{ CaseID, Track, Date string }

// DueBetween returns the decision deadlines from today to until (dates):
// reasonable-grounds decisions awaited and reflection periods ending.
func (s *Store) DueBetween(ctx context.Context, today, until string) ([]Due, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT case_id, 'rg', rg_due FROM case_workflow
		WHERE decision_state IN ('submitted', 'info_requested') AND rg_due >= $1 AND rg_due <= $2
		UNION ALL SELECT case_id, 'cg', reflection_ends FROM case_workflow
		WHERE decision_state = 'rg_positive' AND reflection_ends >= $1 AND reflection_ends <= $2`, today, until)
	if err != nil {
		return nil, fmt.Errorf("intake: deadlines: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, func(sc Scanner) (Due, error) {
		var d Due
		return d, sc.Scan(&d.CaseID, &d.Track, &d.Date)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: deadlines: %w", err)
	}
	return out, nil
}

// MarkDeadlineTold records that the deadline's threshold was told of at
// now; false when it was already (by this run or another replica).
func (s *Store) MarkDeadlineTold(ctx context.Context, q Querier, d Due, threshold string, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO deadline_notices (case_id, track, due, threshold, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, d.CaseID, d.Track, d.Date, threshold, now)
	if err != nil {
		return false, fmt.Errorf("intake: deadlines: %w", err)
	}
	k, err := res.RowsAffected()
	return err == nil && k == 1, err
}

// RGDue returns the case's reasonable-grounds target date.
func (s *Store) RGDue(ctx context.Context, q Querier, caseID string) (string, error) {
	var due string
	if err := q.QueryRowContext(ctx, `SELECT rg_due FROM case_workflow WHERE case_id = $1`, caseID).Scan(&due); err != nil {
		return "", fmt.Errorf("intake: overdue notice: %w", err)
	}
	return due, nil
}

// Guardian is a case's appointed guardian (empty when none) and the
// states of its two tracks.
type Guardian struct{ User, Org, Decision, Support string }

// GuardianOf returns the case's guardian and track states; ok is false
// when the case has no workflow.
func (s *Store) GuardianOf(ctx context.Context, q Querier, caseID string) (g Guardian, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT guardian_user, guardian_org, decision_state, support_state
		FROM case_workflow WHERE case_id = $1`, caseID).Scan(&g.User, &g.Org, &g.Decision, &g.Support)
	if errors.Is(err, sql.ErrNoRows) {
		return Guardian{}, false, nil
	}
	if err != nil {
		return Guardian{}, false, fmt.Errorf("intake: guardian of %s: %w", caseID, err)
	}
	return g, true, nil
}

// DecisionOrgs returns the organisations holding an active decision grant
// to the case, by id.
func (s *Store) DecisionOrgs(ctx context.Context, q Querier, caseID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT org_id FROM grants WHERE case_id = $1 AND purpose = 'decision'
		AND status = 'active' ORDER BY org_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: deciding organisations: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, func(sc Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: deciding organisations: %w", err)
	}
	return out, nil
}
