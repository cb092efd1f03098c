package intake

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/store"
)

// entryKeyHeader is the header k's MAC covers.
func entryKeyHeader(k store.EntryKey) seal.Header {
	return seal.Header{CaseID: k.CaseID, Section: entrySection(k.EntryID), AuthorOrg: k.AuthorOrg}
}

// openEntryKey checks k's MAC and unwraps its one data key with the
// identity version it names.
func (s *service) openEntryKey(ctx context.Context, q store.Querier, k store.EntryKey) (*seal.OrgIdentity, seal.KeyGrant, error) {
	if err := seal.CheckSectionMAC(s.macKey, entryKeyHeader(k), k.Sealed, k.Wrap, k.OrgID, k.Mac); err != nil {
		return nil, seal.KeyGrant{}, fmt.Errorf("intake: case %s: entry key: %w: %w", k.CaseID, ErrIntegrity, err)
	}
	id, err := s.ring.Identity(ctx, q, k.OrgID, k.Version)
	if err != nil {
		return nil, seal.KeyGrant{}, err
	}
	kgs, err := seal.Unwrap(id, k.Wrap, s.classKeys.Unlock(k.CaseID))
	if err != nil || len(kgs) != 1 {
		return nil, seal.KeyGrant{}, fmt.Errorf("intake: case %s: entry key: %w", k.CaseID, ErrIntegrity)
	}
	return id, kgs[0], nil
}

// rewrapEntryKeys re-wraps orgID's entry keys of the case that are not
// addressed to its active identity (keys rotate): the same data key, a new
// age message, a new MAC.
func (s *service) rewrapEntryKeys(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	version, recipient, err := s.ring.ActiveRecipient(ctx, tx, orgID)
	if err != nil {
		return err
	}
	ks, err := s.store.EntryKeysBehind(ctx, tx, caseID, orgID, version)
	if err != nil {
		return err
	}
	for _, k := range ks {
		old, _, err := s.openEntryKey(ctx, tx, k)
		if err != nil {
			return err
		}
		if k.Wrap, err = seal.Rewrap(old, recipient, k.Wrap); err != nil {
			return fmt.Errorf("intake: case %s: rewrap entry key: %w", caseID, err)
		}
		k.Version, k.Mac = version, seal.SectionMAC(s.macKey, entryKeyHeader(k), k.Sealed, k.Wrap, orgID)
		if err := s.store.UpdateEntryKey(ctx, tx, k); err != nil {
			return err
		}
	}
	return nil
}

// rekeyEntries seals again, under a new data key, every live entry of the
// case that orgID authored, or every one when it owns the case, and wraps
// the new key to every organisation that held the old one.
func (s *service) rekeyEntries(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	c, err := s.store.CaseByID(ctx, tx, caseID, true)
	if err != nil {
		return err
	}
	own, err := s.store.EntryKeysOwned(ctx, tx, caseID, orgID, c.OwnerOrg == orgID)
	if err != nil {
		return err
	}
	for _, k := range own {
		_, old, err := s.openEntryKey(ctx, tx, k)
		if err != nil {
			return err
		}
		sealed, key, err := seal.Reseal(entryKeyHeader(k), k.Sealed, old.Key)
		if err != nil {
			return fmt.Errorf("intake: case %s: reseal entry: %w: %w", caseID, ErrIntegrity, err)
		}
		if err := s.store.ResealEntry(ctx, tx, k.EntryID, []byte(sealed)); err != nil {
			return err
		}
		holders, err := s.store.EntryKeyHolders(ctx, tx, caseID, k.EntryID)
		if err != nil {
			return err
		}
		kg := seal.KeyGrant{KeyRef: old.KeyRef, Key: key}
		for _, h := range holders {
			version, recipient, err := s.ring.ActiveRecipient(ctx, tx, h.OrgID)
			if err != nil {
				return err
			}
			if h.Wrap, err = s.classKeys.Wrap(caseID, nil, recipient, []seal.KeyGrant{kg}); err != nil {
				return fmt.Errorf("intake: case %s: wrap entry key: %w", caseID, err)
			}
			h.Version, h.Mac = version, seal.SectionMAC(s.macKey, entryKeyHeader(h), sealed, h.Wrap, h.OrgID)
			if err := s.store.UpdateEntryKey(ctx, tx, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// rotateEntryKeys re-wraps, case by case, every entry key of orgID still
// addressed to an older identity, until none is left.
func (s *service) rotateEntryKeys(ctx context.Context, orgID string, version int) error {
	for pass := 0; ; pass++ {
		ids, err := s.store.CasesEntryKeysBehind(ctx, orgID, version)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if pass > 10 {
			return fmt.Errorf("intake: rotate %s: entry keys keep appearing under an old key", orgID)
		}
		for _, id := range ids {
			if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.rewrapEntryKeys(ctx, tx, id, orgID) }); err != nil {
				return fmt.Errorf("intake: rotate %s: case %s: entries: %w", orgID, id, err)
			}
		}
	}
}

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
