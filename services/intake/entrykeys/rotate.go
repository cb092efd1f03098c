package entrykeys

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/nrm-project/nrm/pkg/seal"
)

// Rewrap re-wraps orgID's entry keys of the case that are not addressed
// to its active identity (keys rotate): the same data key, a new age
// message, a new MAC.
func (k *Keys) Rewrap(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	version, recipient, err := k.ring.ActiveRecipient(ctx, tx, orgID)
	if err != nil {
		return err
	}
	ks, err := k.store.EntryKeysBehind(ctx, tx, caseID, orgID, version)
	if err != nil {
		return err
	}
	for _, ek := range ks {
		old, _, err := k.open(ctx, tx, ek)
		if err != nil {
			return err
		}
		if ek.Wrap, err = seal.Rewrap(old, recipient, ek.Wrap); err != nil {
			return fmt.Errorf("intake: case %s: rewrap entry key: %w", caseID, err)
		}
		ek.Version, ek.Mac = version, seal.SectionMAC(k.macKey, keyHeader(ek), ek.Sealed, ek.Wrap, orgID)
		if err := k.store.UpdateEntryKey(ctx, tx, ek); err != nil {
			return err
		}
	}
	return nil
}

// Rekey seals again, under a new data key, every live entry of the case
// that orgID authored, or every one when it owns the case, and wraps the
// new key to every organisation that held the old one.
func (k *Keys) Rekey(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	c, err := k.store.CaseByID(ctx, tx, caseID, true)
	if err != nil {
		return err
	}
	own, err := k.store.EntryKeysOwned(ctx, tx, caseID, orgID, c.OwnerOrg == orgID)
	if err != nil {
		return err
	}
	for _, ek := range own {
		_, old, err := k.open(ctx, tx, ek)
		if err != nil {
			return err
		}
		sealed, key, err := seal.Reseal(keyHeader(ek), ek.Sealed, old.Key)
		if err != nil {
			return fmt.Errorf("intake: case %s: reseal entry: %w: %w", caseID, ErrIntegrity, err)
		}
		if err := k.store.ResealEntry(ctx, tx, ek.EntryID, []byte(sealed)); err != nil {
			return err
		}
		holders, err := k.store.EntryKeyHolders(ctx, tx, caseID, ek.EntryID)
		if err != nil {
			return err
		}
		kg := seal.KeyGrant{KeyRef: old.KeyRef, Key: key}
		for _, h := range holders {
			version, recipient, err := k.ring.ActiveRecipient(ctx, tx, h.OrgID)
			if err != nil {
				return err
			}
			if h.Wrap, err = k.classes.Wrap(caseID, nil, recipient, []seal.KeyGrant{kg}); err != nil {
				return fmt.Errorf("intake: case %s: wrap entry key: %w", caseID, err)
			}
			h.Version, h.Mac = version, seal.SectionMAC(k.macKey, keyHeader(h), sealed, h.Wrap, h.OrgID)
			if err := k.store.UpdateEntryKey(ctx, tx, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// Rotate re-wraps, case by case in a transaction each, every entry key of
// orgID still addressed to an identity version other than version, until
// none is left.
func (k *Keys) Rotate(ctx context.Context, orgID string, version int) error {
	for pass := 0; ; pass++ {
		ids, err := k.store.CasesEntryKeysBehind(ctx, orgID, version)
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
			if err := k.db.Tx(ctx, func(tx *sql.Tx) error { return k.Rewrap(ctx, tx, id, orgID) }); err != nil {
				return fmt.Errorf("intake: rotate %s: case %s: entries: %w", orgID, id, err)
			}
		}
	}
}
