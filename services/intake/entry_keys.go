package intake

import (
	"context"
	"database/sql"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/services/intake/store"
)

// dropEntryKeys deletes orgID's wraps of the case's entry keys that its
// active grants no longer cover, unless it owns the case: it keeps what it
// authored, as for sections. RevokeGrant, expiry and transfer call it in
// their transaction, after the grants or the owner changed.
func (s *service) dropEntryKeys(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	c, err := s.store.CaseByID(ctx, tx, caseID, false)
	if err != nil {
		return err
	}
	if c.OwnerOrg == orgID {
		return nil
	}
	grants, err := s.store.Grants(ctx, tx, caseID)
	if err != nil {
		return err
	}
	holds, err := s.store.EntryHolds(ctx, tx, caseID, orgID)
	if err != nil {
		return err
	}
	kinds := make(map[string]store.EntryHold, len(holds))
	for _, h := range holds {
		kinds[h.ID] = h
	}
	typeOf := func(id string) (string, string) { return kinds[id].Type, kinds[id].Supersedes }
	n := 0
	for _, k := range holds {
		if !k.Held {
			continue
		}
		if (k.AuthorOrg == orgID && authorReads(grants, orgID)) || orgCoversClass(grants, orgID, entryClassOf(k.Type, k.Supersedes, typeOf)) {
			continue
		}
		if err := s.store.DeleteEntryKey(ctx, tx, k.ID, orgID); err != nil {
			return err
		}
		n++
	}
	if n > 0 {
		_ = level.Debug(s.log).Log("msg", "entry keys no longer covered dropped", "case", caseID, "n", n)
	}
	return nil
}
