package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// duplicateColumns are the columns scanDuplicate reads, in order.
const duplicateColumns = `id, case_id, matches_id, strength, found_at, status, decided_by, decided_at`

type rowScanner interface {
	Scan(dest ...any) error
}

func scanDuplicate(r rowScanner) (Duplicate, error) {
	var (
		d         Duplicate
		decidedAt sql.NullTime
	)
	if err := r.Scan(&d.ID, &d.CaseID, &d.MatchesID, &d.Strength, &d.FoundAt, &d.Status, &d.DecidedBy, &decidedAt); err != nil {
		return Duplicate{}, err
	}
	d.FoundAt = d.FoundAt.UTC()
	if decidedAt.Valid {
		t := decidedAt.Time.UTC()
		d.DecidedAt = &t
	}
	return d, nil
}

// ConfirmDuplicate records whether a possible duplicate is the same person.
// Only the duplicates row is read and written: neither case is opened. A
// confirmation emits, in the same transaction, a "linked" statistics event
// keyed by the two cases' pseudonyms (the later case's as CaseKey), so the
// person counts once; a rejection emits none.
func (s *Cases) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (Duplicate, error) {
	p, err := principal(ctx)
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
		d, err = scanDuplicate(tx.QueryRowContext(ctx, `SELECT `+duplicateColumns+` FROM duplicates WHERE id = $1`, duplicateID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("intake: duplicate: %w", err)
		}
		if d.Status != DuplicatePending {
			return ErrDuplicateDecided
		}
		now := s.now().UTC().Truncate(time.Microsecond) // as both engines store it
		// Conditional on pending: of two concurrent decisions one wins.
		res, err := tx.ExecContext(ctx, `UPDATE duplicates SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = $5`,
			status, p.UserID, now, d.ID, DuplicatePending)
		if err != nil {
			return fmt.Errorf("intake: decide duplicate: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("intake: decide duplicate: %w", err)
		}
		if n != 1 {
			return ErrDuplicateDecided
		}
		d.Status, d.DecidedBy, d.DecidedAt = status, p.UserID, &now
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
