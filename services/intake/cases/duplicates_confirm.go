package cases

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// ErrDuplicateDecided answers a second decision on a possible duplicate:
// each is confirmed or rejected once.
var ErrDuplicateDecided = kit.Conflict("the possible duplicate has already been decided")

// ConfirmDuplicate records whether a possible duplicate is the same person.
// Only the duplicates row is read and written: neither case is opened. A
// confirmation emits, in the same transaction, a "linked" statistics event
// keyed by the two cases' pseudonyms (the later case's as CaseKey), so the
// person counts once; a rejection emits none.
func (s *Cases) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (Duplicate, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Duplicate{}, err
	}
	action, status := "intake.duplicate.reject", DuplicateRejected
	if samePerson {
		action, status = "intake.duplicate.confirm", DuplicateConfirmed
	}
	if !p.HasRole(auth.RoleCoordinator) && !p.HasRole(auth.RoleDecisionMaker) {
		s.countDenial(kit.CodeForbidden)
		if err := s.auditAlone(ctx, s.rec.New(ctx, action, "duplicate", auditID(duplicateID), event.Denied)); err != nil {
			return Duplicate{}, err
		}
		return Duplicate{}, kit.ErrForbidden
	}
	if !casefile.ValidID(duplicateID) {
		return Duplicate{}, ErrNotFound
	}
	var d Duplicate
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = s.store.Duplicate(ctx, tx, duplicateID)
		if err != nil {
			return err
		}
		if d.Status != DuplicatePending {
			return ErrDuplicateDecided
		}
		now := s.now().UTC().Truncate(time.Microsecond) // as both engines store it
		// Conditional on pending: of two concurrent decisions one wins.
		won, err := s.store.DecideDuplicate(ctx, tx, d.ID, status, p.UserID, now)
		if err != nil {
			return err
		}
		if !won {
			return ErrDuplicateDecided
		}
		d.Status, d.DecidedBy, d.DecidedAt = status, p.UserID, &now
		if err := s.idem.Record(ctx, tx, http.StatusOK, d.ID); err != nil {
			return err
		}
		var stats []facts.Event
		if samePerson {
			e := s.statsEvent(facts.Linked, d.CaseID)
			e.LinkedKey = s.pseudonym(d.MatchesID)
			stats = append(stats, e)
		}
		if err := s.emit(ctx, tx, stats, s.rec.New(ctx, action, "duplicate", d.ID, event.Allowed)); err != nil {
			return err
		}
		// The answer shows no more than the list does.
		one := []Duplicate{d}
		err = s.viewDuplicates(ctx, tx, p, one)
		d = one[0]
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound):
		s.countDenial(kit.CodeNotFound)
		if err := s.auditAlone(ctx, s.rec.New(ctx, action, "duplicate", duplicateID, event.Denied)); err != nil {
			return Duplicate{}, err
		}
		return Duplicate{}, ErrNotFound
	case errors.Is(err, ErrDuplicateDecided):
		if err := s.auditAlone(ctx, s.rec.New(ctx, action, "duplicate", duplicateID, event.Failed)); err != nil {
			return Duplicate{}, err
		}
		return Duplicate{}, ErrDuplicateDecided
	case err != nil:
		return Duplicate{}, err
	}
	return d, nil
}

// DecidedDuplicate is the answer to p's decision on a possible duplicate
// again, shown as the list shows it, for a retried keyed decision: only
// to the user who decided it, while they still work the list; anyone
// else is ErrNotFound.
func (s *Cases) DecidedDuplicate(ctx context.Context, duplicateID string) (Duplicate, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Duplicate{}, err
	}
	if !p.HasRole(auth.RoleCoordinator) && !p.HasRole(auth.RoleDecisionMaker) {
		return Duplicate{}, ErrNotFound
	}
	var d Duplicate
	err = s.store.ReadTx(ctx, func(tx *sql.Tx) error {
		if d, err = s.store.Duplicate(ctx, tx, duplicateID); err != nil {
			return err
		}
		if d.Status == DuplicatePending || d.DecidedBy != p.UserID {
			return ErrNotFound
		}
		one := []Duplicate{d}
		err := s.viewDuplicates(ctx, tx, p, one)
		d = one[0]
		return err
	})
	return d, err
}
