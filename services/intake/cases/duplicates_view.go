package cases

import (
	"context"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/intake/store"
)

// What a possible duplicate shows. The coordinator or decision maker who
// works the list needs to know that two registrations may be one person,
// how strongly, and which organisations own them, so as to bring those
// organisations together; it does not need, and is not given, the id of a
// case it may not read. A case id is shown only to a caller whose
// organisation may see that case (owner, section author, active grantee,
// or the caller's own emergency access); the owning organisations always.

// caseRelation is what the view of a duplicate needs about one case.
type caseRelation struct {
	owner   string
	visible bool
}

// duplicateRelations returns, for each case id, its owner and whether p's
// organisation may see it: two statements, whatever the number of ids.
func (s *Cases) duplicateRelations(ctx context.Context, q store.Querier, p auth.Principal, ids []string) (map[string]caseRelation, error) {
	out := make(map[string]caseRelation, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	owners, err := s.store.CaseOwners(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for id, owner := range owners {
		out[id] = caseRelation{owner: owner, visible: p.OrgID != "" && owner == p.OrgID}
	}
	if p.OrgID == "" {
		return out, nil
	}
	seen, err := s.store.CasesSeenBy(ctx, q, ids, p.OrgID, p.UserID)
	if err != nil {
		return nil, err
	}
	for _, id := range seen {
		r := out[id]
		r.visible = true
		out[id] = r
	}
	return out, nil
}

// viewDuplicates fills in the owning organisations and keeps only the
// case ids the caller may see.
func (s *Cases) viewDuplicates(ctx context.Context, q store.Querier, p auth.Principal, ds []Duplicate) error {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.CaseID, d.MatchesID)
	}
	rel, err := s.duplicateRelations(ctx, q, p, ids)
	if err != nil {
		return err
	}
	for i := range ds {
		d := &ds[i]
		a, b := rel[d.CaseID], rel[d.MatchesID]
		d.CaseOrg, d.MatchesOrg = a.owner, b.owner
		if !a.visible {
			d.CaseID = ""
		}
		if !b.visible {
			d.MatchesID = ""
		}
	}
	return nil
}
