package intake

import (
	"context"
	"fmt"

	"github.com/nrm-project/nrm/pkg/auth"
)

// Next steps of a caseload item.
const (
	NextSupportPlan      = "record_support_plan"
	NextServiceDelivered = "record_service_delivered"
	NextLocatePerson     = "locate_person"
	NextNone             = "none"
)

// maxCaseload bounds the caseload returned with a case list.
const maxCaseload = 500

// hasCaseload: service providers' caseworkers see the cases their
// organisation supports.
func hasCaseload(p auth.Principal) bool { return p.HasRole(auth.RoleNGOCaseworker) }

// caseload lists org's active referral grants with each case's support
// state and what org has recorded so far, newest grant first.
func (s *store) caseload(ctx context.Context, org string) ([]CaseloadItem, error) {
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
	out := []CaseloadItem{}
	seen := map[string]bool{}
	for rows.Next() {
		var (
			it                  CaseloadItem
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
			it.SupportState = SupportOpen
		}
		it.NextStep = nextStep(it.SupportState, plan, delivered)
		out = append(out, it)
	}
	return out, rows.Err()
}

func nextStep(support string, plan, delivered bool) string {
	switch {
	case support == SupportClosed:
		return NextNone
	case support == SupportSuspended:
		return NextLocatePerson
	case !plan:
		return NextSupportPlan
	case !delivered:
		return NextServiceDelivered
	}
	return NextServiceDelivered // support goes on: the next service delivered
}
