package intake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Match strengths.
const (
	StrengthNameAndYear = "name_and_year"
	StrengthNameOnly    = "name_only"
)

// checkDuplicates stores the case's blind indexes and records the cases
// they meet. Nothing of the outcome reaches the registering officer: the
// caller's response and audit trail are the same with or without a match.
//
// One row set per case: the indexes of the full name and each variant with
// the birth year when it is known, else of the names alone. A case with a
// known year also looks for cases whose year is unknown (name only); a
// case without a year can only meet others without one.
func (s *service) checkDuplicates(ctx context.Context, tx *sql.Tx, c caseRow, id *IdentityInfo, declaredYear int) error {
	if c.Route == RouteAnonymous || id == nil {
		return nil
	}
	names := append([]string{id.FullName}, id.NameVariants...)
	year := birthYear(id, declaredYear)
	nameOnly := s.indexer.Indexes(names, 0)
	if len(nameOnly) == 0 {
		return nil
	}
	own, withYear := nameOnly, false
	if year > 0 {
		own, withYear = s.indexer.Indexes(names, year), true
	}
	found := map[string]string{}
	if withYear {
		if err := s.matchIndexes(ctx, tx, c.ID, own, true, StrengthNameAndYear, found); err != nil {
			return err
		}
	}
	if err := s.matchIndexes(ctx, tx, c.ID, nameOnly, false, StrengthNameOnly, found); err != nil {
		return err
	}
	for _, ix := range own {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blind_indexes (case_id, idx, with_year) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			c.ID, int64(ix), withYear); err != nil {
			return fmt.Errorf("intake: blind index: %w", err)
		}
	}
	now := s.now()
	for other, strength := range found {
		if _, err := tx.ExecContext(ctx, `INSERT INTO duplicates (id, case_id, matches_id, strength, found_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING`, event.NewID(), c.ID, other, strength, now); err != nil {
			return fmt.Errorf("intake: record duplicate: %w", err)
		}
	}
	return nil
}

// matchIndexes adds to found the other cases holding one of idx.
func (s *service) matchIndexes(ctx context.Context, tx *sql.Tx, caseID string, idx []uint32, withYear bool, strength string, found map[string]string) error {
	args := []any{caseID, withYear}
	ph := make([]string, len(idx))
	for i, ix := range idx {
		args = append(args, int64(ix))
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT case_id FROM blind_indexes
		WHERE case_id <> $1 AND with_year = $2 AND idx IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("intake: duplicate lookup: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var other string
		if err := rows.Scan(&other); err != nil {
			return fmt.Errorf("intake: duplicate lookup: %w", err)
		}
		if _, ok := found[other]; !ok {
			found[other] = strength
		}
	}
	return rows.Err()
}

func (s *service) Duplicates(ctx context.Context, q ListQuery) (DuplicatePage, error) {
	p, err := principal(ctx)
	if err != nil {
		return DuplicatePage{}, err
	}
	if !p.HasRole(auth.RoleCoordinator) && !p.HasRole(auth.RoleDecisionMaker) {
		s.metrics.denials.WithLabelValues(kit.CodeForbidden).Inc()
		if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.duplicate.list", "duplicate", "", event.Denied)); err != nil {
			return DuplicatePage{}, err
		}
		return DuplicatePage{}, kit.ErrForbidden
	}
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return DuplicatePage{}, err
	}
	after, err := parseCursor(q.After)
	if err != nil {
		return DuplicatePage{}, err
	}
	query, args := `SELECT id, case_id, matches_id, strength, found_at FROM duplicates`, []any{}
	if after != nil {
		args = append(args, after.At, after.ID)
		query += ` WHERE found_at < $1 OR (found_at = $1 AND id < $2)`
	}
	args = append(args, limit+1)
	query += fmt.Sprintf(` ORDER BY found_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return DuplicatePage{}, fmt.Errorf("intake: duplicates: %w", err)
	}
	defer rows.Close()
	page := DuplicatePage{Duplicates: []Duplicate{}}
	for rows.Next() {
		var d Duplicate
		if err := rows.Scan(&d.ID, &d.CaseID, &d.MatchesID, &d.Strength, &d.FoundAt); err != nil {
			return DuplicatePage{}, fmt.Errorf("intake: duplicates: %w", err)
		}
		d.FoundAt = d.FoundAt.UTC()
		page.Duplicates = append(page.Duplicates, d)
	}
	if err := rows.Err(); err != nil {
		return DuplicatePage{}, fmt.Errorf("intake: duplicates: %w", err)
	}
	if len(page.Duplicates) > limit {
		page.Duplicates = page.Duplicates[:limit]
		last := page.Duplicates[limit-1]
		page.Next = cursor{At: last.FoundAt, ID: last.ID}.String()
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.duplicate.list", "duplicate", "", event.Allowed)); err != nil {
		return DuplicatePage{}, err
	}
	return page, nil
}
