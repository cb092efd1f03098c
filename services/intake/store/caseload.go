package store

import (
	"context"
	"fmt"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// maxCaseload bounds the caseload returned with a case list.
const maxCaseload = 500

// Caseload lists org's active referral grants with each case's support
// state and what org has recorded so far, newest grant first.
func (s *Store) Caseload(ctx context.Context, org string) ([]casefile.CaseloadItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.case_id, c.reference, g.service, g.sections, g.updated_at,
		c.treated_as_child, c.languages, COALESCE(w.support_state, ''),
		EXISTS (SELECT 1 FROM entries e WHERE e.case_id = g.case_id AND e.author_org = g.org_id AND e.type = 'support_plan'),
		EXISTS (SELECT 1 FROM entries e WHERE e.case_id = g.case_id AND e.author_org = g.org_id AND e.type = 'service_delivered')
		FROM grants g JOIN cases c ON c.id = g.case_id LEFT JOIN case_workflow w ON w.case_id = g.case_id
		WHERE g.org_id = $1 AND g.status = 'active' AND g.purpose = 'referral'
		ORDER BY g.updated_at DESC, g.id DESC LIMIT $2`, org, maxCaseload)
	if err != nil {
		return nil, fmt.Errorf("intake: caseload: %w", err)
	}
	defer rows.Close()
	out := []casefile.CaseloadItem{}
	seen := map[string]bool{}
	for rows.Next() {
		var (
			it                  casefile.CaseloadItem
			sections, languages string
			plan, delivered     bool
		)
		if err := rows.Scan(&it.CaseID, &it.Reference, &it.Service, &sections, &it.Since, &it.TreatedAsChild, &languages,
			&it.SupportState, &plan, &delivered); err != nil {
			return nil, fmt.Errorf("intake: caseload: %w", err)
		}
		if seen[it.CaseID+"|"+it.Service] {
			continue // one line per case and service
		}
		seen[it.CaseID+"|"+it.Service] = true
		it.Since, it.Sections, it.Languages = it.Since.UTC(), splitCodes(sections), splitCodes(languages)
		if it.SupportState == "" {
			it.SupportState = casefile.SupportOpen
		}
		it.NextStep = casefile.NextStep(it.SupportState, plan, delivered)
		out = append(out, it)
	}
	return out, rows.Err()
}
