package store

import (
	"context"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

const grantColumns = `id, case_id, org_id, sections, status, purpose, service, referral_id, granted_by, created_at, updated_at`

// GrantRow is a grant with the service it was made for.
type GrantRow struct {
	casefile.Grant
	Service string
}

// HoldsDecisionGrant reports whether org holds an active decision grant
// among grants (the competent authority a case was submitted to).
func HoldsDecisionGrant(grants []GrantRow, org string) bool {
	for _, g := range grants {
		if g.OrgID == org && g.Purpose == "decision" && g.Status == casefile.GrantActive {
			return true
		}
	}
	return false
}

func scanGrant(sc Scanner) (GrantRow, error) {
	var (
		g        GrantRow
		sections string
	)
	if err := sc.Scan(&g.ID, &g.CaseID, &g.OrgID, &sections, &g.Status, &g.Purpose, &g.Service, &g.ReferralID,
		&g.GrantedBy, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return GrantRow{}, err
	}
	g.Sections, g.CreatedAt, g.UpdatedAt = splitCodes(sections), g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	return g, nil
}

// InsertGrant writes a new grant.
func (s *Store) InsertGrant(ctx context.Context, q Querier, g GrantRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO grants (`+grantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		g.ID, g.CaseID, g.OrgID, JoinCodes(g.Sections), g.Status, g.Purpose, g.Service, g.ReferralID, g.GrantedBy, g.CreatedAt, g.UpdatedAt)
	if err != nil {
		return fmt.Errorf("intake: insert grant: %w", err)
	}
	return nil
}

// SetGrantStatus moves the grant to status at now.
func (s *Store) SetGrantStatus(ctx context.Context, q Querier, id, status string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE grants SET status = $2, updated_at = $3 WHERE id = $1`, id, status, now); err != nil {
		return fmt.Errorf("intake: update grant: %w", err)
	}
	return nil
}

// grantOrder is the order of a case's grants: oldest first.
const grantOrder = `created_at, id`

// Grants returns the case's grants, oldest first.
func (s *Store) Grants(ctx context.Context, q Querier, caseID string) ([]GrantRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+grantColumns+` FROM grants WHERE case_id = $1 ORDER BY `+grantOrder, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: grants: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, scanGrant)
	if err != nil {
		return nil, fmt.Errorf("intake: grants: %w", err)
	}
	return out, nil
}

// EndGrant sets the grant's end to ends unless it ends sooner already, and
// returns the end it has.
func (s *Store) EndGrant(ctx context.Context, q Querier, id string, ends time.Time) (time.Time, error) {
	if _, err := q.ExecContext(ctx, `UPDATE grants SET ends_at = $2 WHERE id = $1 AND (ends_at IS NULL OR ends_at > $2)`,
		id, ends); err != nil {
		return time.Time{}, fmt.Errorf("intake: end grant: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT ends_at FROM grants WHERE id = $1`, id).Scan(&ends); err != nil {
		return time.Time{}, fmt.Errorf("intake: end grant: %w", err)
	}
	return ends.UTC(), nil
}

// GrantEnd is an active grant whose follow-up window has passed.
type GrantEnd struct{ ID, CaseID string }

// GrantsEnded returns the active grants whose end is at or before now,
// the earliest first.
func (s *Store) GrantsEnded(ctx context.Context, now time.Time) ([]GrantEnd, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, case_id FROM grants WHERE status = 'active' AND ends_at IS NOT NULL AND ends_at <= $1
		ORDER BY ends_at`, now)
	if err != nil {
		return nil, fmt.Errorf("intake: grant ends: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, func(sc Scanner) (GrantEnd, error) {
		var g GrantEnd
		return g, sc.Scan(&g.ID, &g.CaseID)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: grant ends: %w", err)
	}
	return out, nil
}

// DecidingCases returns the cases org holds an active decision grant to.
func (s *Store) DecidingCases(ctx context.Context, q Querier, org string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT case_id FROM grants WHERE org_id = $1 AND purpose = 'decision' AND status = 'active'`, org)
	if err != nil {
		return nil, fmt.Errorf("intake: decision queue: %w", err)
	}
	defer rows.Close()
	ids, err := scanAll(rows, func(sc Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: decision queue: %w", err)
	}
	return ids, nil
}
