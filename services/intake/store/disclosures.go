package store

import (
	"context"
	"fmt"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

const disclosureColumns = `id, case_id, org_id, user_id, recipient_kind, legal_basis, sections, disclosed_at`

// Disclosures returns the disclosures of one case ("" for all), newest first.
func (s *Store) Disclosures(ctx context.Context, q Querier, caseID string) ([]casefile.Disclosure, error) {
	query, args := `SELECT `+disclosureColumns+` FROM disclosures ORDER BY disclosed_at DESC, id DESC LIMIT $1`, []any{MaxListed}
	if caseID != "" {
		query = `SELECT ` + disclosureColumns + ` FROM disclosures WHERE case_id = $2 ORDER BY disclosed_at DESC, id DESC LIMIT $1`
		args = append(args, caseID)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: disclosures: %w", err)
	}
	defer rows.Close()
	out := []casefile.Disclosure{}
	for rows.Next() {
		var (
			d    casefile.Disclosure
			secs string
		)
		if err := rows.Scan(&d.ID, &d.CaseID, &d.OrgID, &d.UserID, &d.RecipientKind, &d.LegalBasis, &secs, &d.DisclosedAt); err != nil {
			return nil, fmt.Errorf("intake: disclosures: %w", err)
		}
		d.Sections, d.DisclosedAt = splitCodes(secs), d.DisclosedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
