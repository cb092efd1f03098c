package intake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
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
func (s *service) checkDuplicates(ctx context.Context, tx *sql.Tx, c caseRow, id *IdentityInfo, declaredYear int) error {
	return s.recordDuplicates(ctx, tx, s.duplicateProbe(c, id, declaredYear))
}

// duplicateProbe is a case's blind indexes, computed before its
// transaction: own is stored, own and nameOnly are looked up.
type duplicateProbe struct {
	caseID   string
	own      []uint32
	withYear bool
	nameOnly []uint32
}

// duplicateProbe computes one row set per case: the indexes of the full
// name and each variant with the birth year when it is known, else of the
// names alone. A case with a known year also looks for cases whose year is
// unknown (name only); a case without a year can only meet others without
// one.
func (s *service) duplicateProbe(c caseRow, id *IdentityInfo, declaredYear int) duplicateProbe {
	if c.Route == RouteAnonymous || id == nil {
		return duplicateProbe{}
	}
	names := append([]string{id.FullName}, id.NameVariants...)
	year := birthYear(id, declaredYear)
	nameOnly := uniqueIndexes(s.indexer.Indexes(names, 0))
	if len(nameOnly) == 0 {
		return duplicateProbe{}
	}
	p := duplicateProbe{caseID: c.ID, own: nameOnly, nameOnly: nameOnly}
	if year > 0 {
		p.own, p.withYear = uniqueIndexes(s.indexer.Indexes(names, year)), true
	}
	return p
}

func uniqueIndexes(idx []uint32) []uint32 {
	slices.Sort(idx)
	return slices.Compact(idx)
}

// recordDuplicates looks the probe up, stores its indexes and records the
// matches: three statements at most.
func (s *service) recordDuplicates(ctx context.Context, tx querier, p duplicateProbe) error {
	if len(p.own) == 0 {
		return nil
	}
	found, err := s.matchIndexes(ctx, tx, p)
	if err != nil {
		return err
	}
	return s.storeDuplicates(ctx, tx, p, found)
}

// storeDuplicates stores the probe's indexes and the matches found for it
// (by matchIndexes, in the same transaction).
func (s *service) storeDuplicates(ctx context.Context, tx querier, p duplicateProbe, found map[string]string) error {
	if len(p.own) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(p.own))
	for _, ix := range p.own {
		args = append(args, p.caseID, int64(ix), p.withYear)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO blind_indexes (case_id, idx, with_year) VALUES `+valueLists(len(p.own), 3)+
		` ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("intake: blind index: %w", err)
	}
	if len(found) == 0 {
		return nil
	}
	now := s.now()
	args = make([]any, 0, 5*len(found))
	for other, strength := range found {
		args = append(args, event.NewID(), p.caseID, other, strength, now)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO duplicates (id, case_id, matches_id, strength, found_at) VALUES `+
		valueLists(len(found), 5)+` ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("intake: record duplicate: %w", err)
	}
	return nil
}

// matchIndexes returns the other cases meeting the probe, with the
// strength of their best match: the same indexes with a year, or the
// name-only indexes among cases without one.
func (s *service) matchIndexes(ctx context.Context, tx querier, p duplicateProbe) (map[string]string, error) {
	args := []any{p.caseID, false}
	in := func(idx []uint32) string {
		ph := make([]string, len(idx))
		for i, ix := range idx {
			args = append(args, int64(ix))
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		return strings.Join(ph, ", ")
	}
	where := `with_year = $2 AND idx IN (` + in(p.nameOnly) + `)`
	if p.withYear {
		args = append(args, true)
		n := len(args)
		where = `(` + where + `) OR (with_year = $` + strconv.Itoa(n) + ` AND idx IN (` + in(p.own) + `))`
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT case_id, with_year FROM blind_indexes WHERE case_id <> $1 AND (`+where+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate lookup: %w", err)
	}
	defer rows.Close()
	found := map[string]string{}
	for rows.Next() {
		var (
			other    string
			withYear bool
		)
		if err := rows.Scan(&other, &withYear); err != nil {
			return nil, fmt.Errorf("intake: duplicate lookup: %w", err)
		}
		if withYear {
			found[other] = StrengthNameAndYear
		} else if _, ok := found[other]; !ok {
			found[other] = StrengthNameOnly
		}
	}
	return found, rows.Err()
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
	query, args := `SELECT `+duplicateColumns+` FROM duplicates`, []any{}
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
		d, err := scanDuplicate(rows)
		if err != nil {
			return DuplicatePage{}, fmt.Errorf("intake: duplicates: %w", err)
		}
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
