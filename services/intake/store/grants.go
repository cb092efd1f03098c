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

func (s *Store) InsertGrant(ctx context.Context, q Querier, g GrantRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO grants (`+grantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		g.ID, g.CaseID, g.OrgID, JoinCodes(g.Sections), g.Status, g.Purpose, g.Service, g.ReferralID, g.GrantedBy, g.CreatedAt, g.UpdatedAt)
	if err != nil {
		return fmt.Errorf("intake: insert grant: %w", err)
	}
	return nil
}

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
