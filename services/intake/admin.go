package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/seal"
)

// Admin administers the organisations' key ring (nrm keys rotate, nrm keys
// rekey). It is not part of Service: only the command line and operators
// reach it. Both operations run case by case in short transactions while
// the service keeps serving: a reader uses the identity version its wrap
// names, read in one snapshot with the wrap and its MACs.
type Admin struct {
	s *service
}

// RotateOrg gives orgID a new identity, re-wraps every wrap and every
// entry key of that organisation to it (seal.Rewrap) with fresh MACs, then
// destroys the old identity. Data keys, sealed sections and entries are
// unchanged. It returns the number of case wraps re-wrapped.
func (a *Admin) RotateOrg(ctx context.Context, orgID string) (int, error) {
	return a.run(ctx, orgID, "intake.key.rotate", false)
}

// RekeyOrg seals again, under new data keys, every section and entry that
// orgID authored or whose case it owns (seal.Reseal), rewrites every wrap
// and entry key that held the old keys (for every organisation), rotates the
// organisation's identity and destroys the old one, which then decrypts
// nothing in the database. It returns the number of cases processed.
func (a *Admin) RekeyOrg(ctx context.Context, orgID string) (int, error) {
	return a.run(ctx, orgID, "intake.key.rekey", true)
}

func (a *Admin) run(ctx context.Context, orgID, action string, rekey bool) (int, error) {
	s := a.s
	ctx = auth.WithPrincipal(ctx, auth.System())
	version, err := s.newActiveVersion(ctx, orgID, action)
	if err != nil {
		return 0, err
	}
	n := 0
	if rekey {
		ids, err := s.store.CasesRekeyed(ctx, orgID)
		if err != nil {
			return n, err
		}
		for _, id := range ids {
			if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
				if err := s.rekeyCase(ctx, tx, id, orgID); err != nil {
					return err
				}
				return s.entryKeys.Rekey(ctx, tx, id, orgID)
			}); err != nil {
				return n, fmt.Errorf("intake: rekey %s: case %s: %w", orgID, id, err)
			}
			n++
		}
	}
	// Re-wrap what is still addressed to an older version. Writers lock the
	// active key while wrapping, so none adds an old wrap after the switch;
	// the loop still runs until nothing is left.
	for pass := 0; ; pass++ {
		ids, err := s.store.CasesWrappedBehind(ctx, orgID, version)
		if err != nil {
			return n, err
		}
		if len(ids) == 0 {
			break
		}
		if pass > 10 {
			return n, fmt.Errorf("intake: rotate %s: wraps keep appearing under an old key", orgID)
		}
		for _, id := range ids {
			if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.rewrapOrg(ctx, tx, id, orgID, nil) }); err != nil {
				return n, fmt.Errorf("intake: rotate %s: case %s: %w", orgID, id, err)
			}
			if !rekey {
				n++
			}
		}
	}
	// The case record's entries have one wrap per key and organisation.
	if err := s.entryKeys.Rotate(ctx, orgID, version); err != nil {
		return n, err
	}
	if err := s.destroyRetired(ctx, orgID); err != nil {
		return n, err
	}
	return n, nil
}

// newActiveVersion retires orgID's active identity and makes a new one
// active, with its audit event, in one transaction.
func (s *service) newActiveVersion(ctx context.Context, orgID, action string) (int, error) {
	var version int
	err := s.ring.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if version, err = s.ring.NewActiveVersion(ctx, tx, orgID); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, action, "org", auditID(orgID), event.Allowed))
	})
	return version, err
}

// rewrapOrg rewrites orgID's wrap of the case to its active identity,
// replacing the data keys named in replace, and rewrites its MACs.
func (s *service) rewrapOrg(ctx context.Context, tx *sql.Tx, caseID, orgID string, replace map[seal.SectionID]seal.KeyGrant) error {
	c, err := s.store.CaseByID(ctx, tx, caseID, true)
	if err != nil {
		return err
	}
	w, err := s.store.Wrap(ctx, tx, caseID, orgID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	keys, err := s.openOwnKeys(ctx, tx, caseID, orgID)
	if err != nil {
		return err
	}
	for id, k := range replace {
		if _, ok := keys[id]; ok {
			keys[id] = k
		}
	}
	secs, err := s.store.Sections(ctx, tx, caseID)
	if err != nil {
		return err
	}
	grants, err := s.store.Grants(ctx, tx, caseID)
	if err != nil {
		return err
	}
	held := map[seal.SectionID]bool{}
	for _, id := range w.Held {
		held[id] = true
	}
	return s.writeWrap(ctx, tx, c.ID, orgID, secs, held, readableFor(secs, grants, orgID), keys)
}

// rekeyCase reseals the sections of the case that orgID authored or owns
// and rewrites every wrap holding their keys.
func (s *service) rekeyCase(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	c, err := s.store.CaseByID(ctx, tx, caseID, true)
	if err != nil {
		return err
	}
	secs, err := s.store.Sections(ctx, tx, caseID)
	if err != nil {
		return err
	}
	own, err := s.openOwnKeys(ctx, tx, caseID, orgID)
	if err != nil {
		return err
	}
	replace := map[seal.SectionID]seal.KeyGrant{}
	for i, sec := range secs {
		if sec.Header.AuthorOrg != orgID && c.OwnerOrg != orgID {
			continue
		}
		old, ok := own[sec.Header.ID()]
		if !ok {
			_ = level.Warn(s.log).Log("msg", "rekey: section key not held by the organisation", "case", caseID, "section", sec.Header.Section)
			continue
		}
		sealed, key, err := seal.Reseal(sec.Header, sec.Sealed, old.Key)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrIntegrity, err)
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
		touched := w.OrgID == orgID
		for _, id := range w.Held {
			if _, ok := replace[id]; ok {
				touched = true
			}
		}
		if touched {
			if err := s.rewrapOrg(ctx, tx, caseID, w.OrgID, replace); err != nil {
				return err
			}
		}
	}
	return nil
}

// destroyRetired destroys orgID's retired identities that nothing uses
// any more (keyring.Ring.DestroyRetired).
func (s *service) destroyRetired(ctx context.Context, orgID string) error {
	blocked, err := s.ring.DestroyRetired(ctx, orgID)
	if blocked {
		_ = level.Warn(s.log).Log("msg", "key ring: WAL checkpoint blocked by readers; old frames remain until the next checkpoint")
	}
	return err
}
