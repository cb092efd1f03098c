package intake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Revoking a reader re-keys what it could read. Rebuilding its wrap
// without the revoked sections stops the service from opening them for
// it, but an attacker who can write to the database (not to the key
// directory) could put the old wrap row back and set the grant active
// again. So the sections it could read and did not author are sealed
// again under new data keys, and every remaining wrap holding them is
// rewritten: a restored old wrap holds keys that open nothing any more,
// and its section MACs no longer match the stored sections.

// revokeReader revokes the grants of org that match, rebuilds its wrap
// from source's keys, re-keys the sections it may no longer read, and
// drops the entry keys its remaining grants do not cover. A referral
// grant it revokes is told to referral as revoked in intake
// (grantchange.ReasonRevoked).
func (s *service) revokeReader(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source string, match func(store.GrantRow) bool) error {
	return s.revokeReaderFor(ctx, tx, c, org, source, grantchange.ReasonRevoked, match)
}

// revokeReaderFor is revokeReader telling referral why (grant_events.go;
// cases.Casework.RevokeReader).
func (s *service) revokeReaderFor(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source, reason string, match func(store.GrantRow) bool) error {
	secs, err := s.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	before := heldFor(secs, grants, org)
	// The source's keys as they are now: a grantee declining rebuilds its
	// own wrap, which then no longer holds them.
	own, err := s.openOwnKeys(ctx, tx, c.ID, source)
	if err != nil {
		return err
	}
	for i, g := range grants {
		if g.OrgID == org && g.Status != GrantRevoked && match(g) {
			if err := s.store.SetGrantStatus(ctx, tx, g.ID, GrantRevoked, s.now()); err != nil {
				return err
			}
			grants[i].Status = GrantRevoked
			if err := s.tellReferral(ctx, tx, g, reason); err != nil {
				return err
			}
		}
	}
	if err := s.rebuildWrap(ctx, tx, c, secs, grants, org, source); err != nil {
		return err
	}
	after := heldFor(secs, grants, org)
	lost := map[seal.SectionID]bool{}
	for id := range before {
		if !after[id] {
			lost[id] = true
		}
	}
	if err := s.rekeySections(ctx, tx, c.ID, own, secs, lost); err != nil {
		return err
	}
	return s.dropEntryKeys(ctx, tx, c.ID, org)
}

// rekeySections seals the sections in which again under new data keys
// (the current ones from own) and rewrites every wrap that holds them.
func (s *service) rekeySections(ctx context.Context, tx *sql.Tx, caseID string, own map[seal.SectionID]seal.KeyGrant, secs []store.SectionRow, which map[seal.SectionID]bool) error {
	if len(which) == 0 {
		return nil
	}
	replace := map[seal.SectionID]seal.KeyGrant{}
	for i, sec := range secs {
		if !which[sec.Header.ID()] {
			continue
		}
		old, ok := own[sec.Header.ID()]
		if !ok {
			return fmt.Errorf("intake: case %s: re-key: %s not held by the revoking organisation: %w", caseID, sec.Header.Section, ErrIntegrity)
		}
		sealed, key, err := seal.Reseal(sec.Header, sec.Sealed, old.Key)
		if err != nil {
			return fmt.Errorf("intake: case %s: re-key: %w: %w", caseID, ErrIntegrity, err)
		}
		secs[i].Sealed = sealed
		if err := s.store.ReplaceSealed(ctx, tx, secs[i]); err != nil {
			return err
		}
		replace[sec.Header.ID()] = seal.KeyGrant{KeyRef: old.KeyRef, Key: key}
	}
	wraps, err := s.store.WrapsOfCase(ctx, tx, caseID)
	if err != nil {
		return err
	}
	for _, w := range wraps {
		for _, id := range w.Held {
			if _, ok := replace[id]; ok {
				if err := s.rewrapOrg(ctx, tx, caseID, w.OrgID, replace); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// wrapStillValid reports whether org's wrap of the case still agrees with
// the stored sections, so that grant g may bring it a new entry key
// (sealEntry): every section MAC it carries verifies against the section's
// current ciphertext; every section org may read by the grants has one
// (the MACs are written for exactly those, so a set emptied or trimmed by
// hand fails); and at least one section g names has one, every section
// when g is an emergency access. A wrap put back
// from before a re-key fails, with its MACs or without them, since the
// sections it lost were sealed again: the grants table alone, which a
// database writer can change, is not trusted to add a reader. The wrap MAC
// does not need to cover held or the MAC set: a row copied whole from
// before the revocation would carry a valid one anyway; what it cannot
// carry is a MAC of the re-keyed sections.
func (s *service) wrapStillValid(ctx context.Context, q store.Querier, caseID, org string, secs []store.SectionRow, grants []store.GrantRow, g store.GrantRow) (bool, error) {
	w, err := s.store.Wrap(ctx, q, caseID, org)
	if err != nil {
		return false, err
	}
	macs, err := s.store.Macs(ctx, q, caseID, org)
	if err != nil {
		return false, err
	}
	if seal.CheckWrapMAC(s.macKey, caseID, org, w.Wrap, w.MAC) != nil {
		return false, nil
	}
	readable, named := readableFor(secs, grants, org), 0
	for _, sec := range secs {
		mac, ok := macs[sec.Header.ID()]
		if !ok {
			// An emergency access opens every section, and its wrap holds
			// them all: a grant whose purpose was changed by hand does not.
			if readable[sec.Header.ID()] || g.Purpose == purposeBreakGlass {
				return false, nil
			}
			continue
		}
		if seal.CheckSectionMAC(s.macKey, sec.Header, sec.Sealed, w.Wrap, org, mac) != nil {
			return false, nil
		}
		if slices.Contains(g.Sections, sec.Header.Section) {
			named++
		}
	}
	return named > 0, nil
}
