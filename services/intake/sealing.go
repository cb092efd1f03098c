package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/store"
)

// readableFor returns the sections org may read: those it authored (while
// its authored grant, if any, stands) and those named in its active grants
// (but the authored grant, which names what authorship already opens).
func readableFor(secs []store.SectionRow, grants []store.GrantRow, org string) map[seal.SectionID]bool {
	named := map[string]bool{}
	for _, g := range grants {
		if g.OrgID == org && g.Status == GrantActive && g.Purpose != purposeAuthored {
			for _, n := range g.Sections {
				named[n] = true
			}
		}
	}
	out, authors := map[seal.SectionID]bool{}, authorReads(grants, org)
	for _, sec := range secs {
		if (authors && sec.Header.AuthorOrg == org) || named[sec.Header.Section] {
			out[sec.Header.ID()] = true
		}
	}
	return out
}

// heldFor returns the sections whose keys org's wrap must hold: what it
// may read plus what its pending grants name (prepared, not yet readable).
func heldFor(secs []store.SectionRow, grants []store.GrantRow, org string) map[seal.SectionID]bool {
	out := readableFor(secs, grants, org)
	for _, g := range grants {
		if g.OrgID != org || g.Status != GrantPending {
			continue
		}
		for _, sec := range secs {
			if slices.Contains(g.Sections, sec.Header.Section) {
				out[sec.Header.ID()] = true
			}
		}
	}
	return out
}

// openOwnKeys returns the data keys in orgID's wrap, decrypted with that
// organisation's identity after its WrapMAC checked out. Callers use it
// only for the caller's own organisation (or in key administration).
func (s *service) openOwnKeys(ctx context.Context, q store.Querier, caseID, orgID string) (map[seal.SectionID]seal.KeyGrant, error) {
	w, err := s.store.Wrap(ctx, q, caseID, orgID)
	if errors.Is(err, ErrNotFound) {
		return map[seal.SectionID]seal.KeyGrant{}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := seal.CheckWrapMAC(s.macKey, caseID, orgID, w.Wrap, w.MAC); err != nil {
		return nil, fmt.Errorf("intake: case %s: %w: %w", caseID, ErrIntegrity, err)
	}
	id, err := s.ring.Identity(ctx, q, orgID, w.KeyVersion)
	if err != nil {
		return nil, err
	}
	grants, err := seal.Unwrap(id, w.Wrap, s.classKeys.Unlock(caseID))
	if err != nil {
		return nil, fmt.Errorf("intake: case %s: unwrap: %w: %w", caseID, ErrIntegrity, err)
	}
	out := make(map[seal.SectionID]seal.KeyGrant, len(grants))
	for _, g := range grants {
		if g.CaseID == caseID {
			out[g.ID()] = g
		}
	}
	return out, nil
}

// writeWrap wraps the keys of held to orgID's active recipient, writes the
// wrap with its WrapMAC and a SectionMAC for each readable section. An
// empty held set deletes the wrap. keys must contain every held section.
func (s *service) writeWrap(ctx context.Context, tx *sql.Tx, caseID, orgID string, secs []store.SectionRow,
	held, readable map[seal.SectionID]bool, keys map[seal.SectionID]seal.KeyGrant) error {
	if len(held) == 0 {
		return s.store.DeleteWrap(ctx, tx, caseID, orgID)
	}
	grants := make([]seal.KeyGrant, 0, len(held))
	ids := make([]seal.SectionID, 0, len(held))
	for id := range held {
		k, ok := keys[id]
		if !ok {
			return fmt.Errorf("intake: case %s: wrap: a held key is missing: %w", caseID, ErrIntegrity)
		}
		grants = append(grants, k)
		ids = append(ids, id)
	}
	version, recipient, err := s.ring.ActiveRecipient(ctx, tx, orgID)
	if err != nil {
		return err
	}
	w, err := s.buildWrap(caseID, nil, orgID, version, recipient, ids, grants)
	if err != nil {
		return err
	}
	if err := s.store.PutWrap(ctx, tx, w, s.now()); err != nil {
		return err
	}
	return s.store.PutMACs(ctx, tx, caseID, orgID, s.sectionMACs(orgID, w.Wrap, secs, readable))
}

// buildWrap wraps grants to recipient (version of orgID's key) with the
// wrap's MAC: the expensive step, kept out of transactions where it can.
func (s *service) buildWrap(caseID string, ring *keys.CaseRing, orgID string, version int, recipient seal.Recipient, held []seal.SectionID, grants []seal.KeyGrant) (store.WrapRow, error) {
	wrap, err := s.classKeys.Wrap(caseID, ring, recipient, grants)
	if err != nil {
		return store.WrapRow{}, fmt.Errorf("intake: case %s: wrap: %w", caseID, err)
	}
	return store.WrapRow{CaseID: caseID, OrgID: orgID, KeyVersion: version, Held: held, Wrap: wrap,
		MAC: seal.WrapMAC(s.macKey, caseID, orgID, wrap)}, nil
}

// sectionMACs returns a SectionMAC for each readable section over the wrap.
func (s *service) sectionMACs(orgID string, wrap []byte, secs []store.SectionRow, readable map[seal.SectionID]bool) map[seal.SectionID][]byte {
	macs := map[seal.SectionID][]byte{}
	for _, sec := range secs {
		if readable[sec.Header.ID()] {
			macs[sec.Header.ID()] = seal.SectionMAC(s.macKey, sec.Header, sec.Sealed, wrap, orgID)
		}
	}
	return macs
}

// rebuildWrap brings orgID's wrap in line with the grants, taking the keys
// from source (the caller's own organisation, which must hold them).
func (s *service) rebuildWrap(ctx context.Context, tx *sql.Tx, c store.CaseRow, secs []store.SectionRow, grants []store.GrantRow, orgID, source string) error {
	held, readable := heldFor(secs, grants, orgID), readableFor(secs, grants, orgID)
	keys, err := s.openOwnKeys(ctx, tx, c.ID, source)
	if err != nil {
		return err
	}
	return s.writeWrap(ctx, tx, c.ID, orgID, secs, held, readable, keys)
}
