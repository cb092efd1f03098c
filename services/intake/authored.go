package intake

import (
	"context"
	"database/sql"
	"slices"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake/store"
)

// After a transfer the previous owner keeps what it authored and nothing
// else. That relation is made visible as a grant of purpose "authored",
// written by the transfer and naming the sections the previous owner
// authored: the new owner sees it among the case's grants and revokes it
// like any grant, which ends the author relation (the sections re-keyed,
// the wrap and entry keys dropped: revocation.go). The grant opens nothing
// by itself: the sections it names are read through authorship, so a later
// version of a section written by someone else stays closed, and it covers
// no entry class.

// purposeAuthored is the purpose of a previous owner's grant on what it
// authored.
const purposeAuthored = "authored"

// authorReads reports whether org still reads what it authored: yes,
// unless it holds authored grants (it owned the case before a transfer)
// and none of them is active any more (the owner revoked it).
func authorReads(grants []store.GrantRow, org string) bool {
	ended := false
	for _, g := range grants {
		if g.OrgID != org || g.Purpose != purposeAuthored {
			continue
		}
		if g.Status == GrantActive {
			return true
		}
		ended = true
	}
	return !ended
}

// handOver gives the new owner of c, in the transfer's transaction, the
// keys of every entry the previous owner holds (the owner reads every
// entry), and records what the previous owner authored as its authored
// grant. Call it before the previous owner's grants end.
func (s *service) handOver(ctx context.Context, tx *sql.Tx, c store.CaseRow, user, prev, next string) error {
	if err := s.entryKeys.HandOver(ctx, tx, c.ID, prev, next); err != nil {
		return err
	}
	return s.recordAuthored(ctx, tx, c, user, prev)
}

// recordAuthored replaces prev's authored grant of c by one naming the
// sections it authored, when it authored a section or an entry.
func (s *service) recordAuthored(ctx context.Context, tx *sql.Tx, c store.CaseRow, user, prev string) error {
	names, entries, err := s.store.Authored(ctx, tx, c.ID, prev)
	if err != nil {
		return err
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, g := range grants {
		if g.OrgID == prev && g.Purpose == purposeAuthored && g.Status == GrantActive {
			if err := s.store.SetGrantStatus(ctx, tx, g.ID, GrantRevoked, now); err != nil {
				return err
			}
		}
	}
	if len(names) == 0 && entries == 0 {
		return nil
	}
	slices.Sort(names)
	return s.store.InsertGrant(ctx, tx, store.GrantRow{Grant: Grant{
		ID: event.NewID(), CaseID: c.ID, OrgID: prev, Sections: names, Status: GrantActive,
		Purpose: purposeAuthored, GrantedBy: user, CreatedAt: now, UpdatedAt: now,
	}})
}
