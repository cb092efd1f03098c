package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// BlindIndex is one stored blind index of a case's names, with or without
// the birth year.
type BlindIndex struct {
	CaseID   string
	Idx      uint32
	WithYear bool
}

// InsertBlindIndexes stores the indexes; existing leaves out those already
// stored (cases written before this transaction), which new cases do not
// need: PostgreSQL then inserts without the speculative insertion ON
// CONFLICT costs.
func (s *Store) InsertBlindIndexes(ctx context.Context, q Querier, ixs []BlindIndex, existing bool) error {
	if len(ixs) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(ixs))
	for _, ix := range ixs {
		args = append(args, ix.CaseID, int64(ix.Idx), ix.WithYear)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO blind_indexes (case_id, idx, with_year) VALUES `+ValueLists(len(ixs), 3)+
		onConflict(existing), args...); err != nil {
		return fmt.Errorf("intake: blind index: %w", err)
	}
	return nil
}

// InsertDuplicates records possible duplicates found (pending); existing
// as for InsertBlindIndexes.
func (s *Store) InsertDuplicates(ctx context.Context, q Querier, ds []casefile.Duplicate, existing bool) error {
	if len(ds) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(ds))
	for _, d := range ds {
		args = append(args, d.ID, d.CaseID, d.MatchesID, d.Strength, d.FoundAt)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO duplicates (id, case_id, matches_id, strength, found_at) VALUES `+
		ValueLists(len(ds), 5)+onConflict(existing), args...); err != nil {
		return fmt.Errorf("intake: record duplicate: %w", err)
	}
	return nil
}

func onConflict(existing bool) string {
	if existing {
		return ` ON CONFLICT DO NOTHING`
	}
	return ""
}

// IndexProbe is a case's blind indexes as looked up: own, with the year
// when WithYear, and NameOnly, without it.
type IndexProbe struct {
	CaseID   string
	Own      []uint32
	WithYear bool
	NameOnly []uint32
}

// IndexMatch is a stored case a probe (by its position) meets, and
// whether by indexes with the year.
type IndexMatch struct {
	Probe    int
	CaseID   string
	WithYear bool
}

// MatchIndexes looks up, in one statement, the stored cases each probe
// meets: the same indexes with a year, or the name-only indexes among
// cases without one. A probe without indexes is skipped.
func (s *Store) MatchIndexes(ctx context.Context, q Querier, ps []IndexProbe) ([]IndexMatch, error) {
	var (
		args  []any
		query strings.Builder
	)
	in := func(idx []uint32) string {
		ph := make([]string, len(idx))
		for i, ix := range idx {
			args = append(args, int64(ix))
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		return strings.Join(ph, ", ")
	}
	for i, p := range ps {
		if len(p.Own) == 0 {
			continue
		}
		if query.Len() > 0 {
			query.WriteString("\nUNION ALL ")
		}
		args = append(args, i, p.CaseID, false)
		n := len(args)
		fmt.Fprintf(&query, `SELECT DISTINCT CAST($%d AS INTEGER), case_id, with_year FROM blind_indexes WHERE case_id <> $%d AND (with_year = $%d AND idx IN (%s)`,
			n-2, n-1, n, in(p.NameOnly))
		if p.WithYear {
			args = append(args, true)
			n := len(args)
			fmt.Fprintf(&query, ` OR with_year = $%d AND idx IN (%s)`, n, in(p.Own))
		}
		query.WriteString(")")
	}
	if query.Len() == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, query.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate lookup: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, func(sc Scanner) (IndexMatch, error) {
		var m IndexMatch
		if err := sc.Scan(&m.Probe, &m.CaseID, &m.WithYear); err != nil {
			return m, err
		}
		if m.Probe < 0 || m.Probe >= len(ps) {
			return m, fmt.Errorf("probe %d of %d", m.Probe, len(ps))
		}
		return m, nil
	})
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate lookup: %w", err)
	}
	return out, nil
}

// DecidingOrgs returns, for each of the cases, the organisations holding
// an active decision grant to it.
func (s *Store) DecidingOrgs(ctx context.Context, q Querier, caseIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT case_id, org_id FROM grants WHERE purpose = 'decision'
		AND status = 'active' AND case_id IN (`+placeholders(1, len(caseIDs))+`) ORDER BY case_id, org_id`, anys(caseIDs)...)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caseID, org string
		if err := rows.Scan(&caseID, &org); err != nil {
			return nil, fmt.Errorf("intake: duplicate notices: %w", err)
		}
		out[caseID] = append(out[caseID], org)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intake: duplicate notices: %w", err)
	}
	return out, nil
}

// duplicateColumns are the columns scanDuplicate reads, in order.
const duplicateColumns = `id, case_id, matches_id, strength, found_at, status, decided_by, decided_at`

func scanDuplicate(sc Scanner) (casefile.Duplicate, error) {
	var (
		d         casefile.Duplicate
		decidedAt sql.NullTime
	)
	if err := sc.Scan(&d.ID, &d.CaseID, &d.MatchesID, &d.Strength, &d.FoundAt, &d.Status, &d.DecidedBy, &decidedAt); err != nil {
		return casefile.Duplicate{}, err
	}
	d.FoundAt = d.FoundAt.UTC()
	if decidedAt.Valid {
		t := decidedAt.Time.UTC()
		d.DecidedAt = &t
	}
	return d, nil
}

// ListDuplicates returns up to limit+1 possible duplicates, newest first,
// after the cursor (found_at, id).
func (s *Store) ListDuplicates(ctx context.Context, after *Cursor, limit int) ([]casefile.Duplicate, error) {
	query, args := `SELECT `+duplicateColumns+` FROM duplicates`, []any{}
	if after != nil {
		args = append(args, after.At, after.ID)
		query += ` WHERE found_at < $1 OR (found_at = $1 AND id < $2)`
	}
	args = append(args, limit+1)
	query += fmt.Sprintf(` ORDER BY found_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicates: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, scanDuplicate)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicates: %w", err)
	}
	return out, nil
}

// Duplicate returns the possible duplicate, or ErrNotFound.
func (s *Store) Duplicate(ctx context.Context, q Querier, id string) (casefile.Duplicate, error) {
	d, err := scanDuplicate(q.QueryRowContext(ctx, `SELECT `+duplicateColumns+` FROM duplicates WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return casefile.Duplicate{}, casefile.ErrNotFound
	}
	if err != nil {
		return casefile.Duplicate{}, fmt.Errorf("intake: duplicate: %w", err)
	}
	return d, nil
}

// DecideDuplicate sets the status of a pending possible duplicate, and
// reports whether it was still pending: of two concurrent decisions one
// wins.
func (s *Store) DecideDuplicate(ctx context.Context, q Querier, id, status, by string, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE duplicates SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = $5`,
		status, by, at, id, casefile.DuplicatePending)
	if err != nil {
		return false, fmt.Errorf("intake: decide duplicate: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("intake: decide duplicate: %w", err)
	}
	return n == 1, nil
}

// CaseOwners returns the owning organisation of each of the cases found.
func (s *Store) CaseOwners(ctx context.Context, q Querier, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	rows, err := q.QueryContext(ctx, `SELECT id, owner_org FROM cases WHERE id IN (`+placeholders(1, len(ids))+`)`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, owner string
		if err := rows.Scan(&id, &owner); err != nil {
			return nil, fmt.Errorf("intake: duplicate cases: %w", err)
		}
		out[id] = owner
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intake: duplicate cases: %w", err)
	}
	return out, nil
}

// CasesSeenBy returns those of the cases where org holds an active grant
// (an emergency access only when user opened it) or authored a section.
func (s *Store) CasesSeenBy(ctx context.Context, q Querier, ids []string, org, user string) ([]string, error) {
	in, n := placeholders(1, len(ids)), len(ids)
	args := append(anys(ids), org, user)
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT case_id FROM grants WHERE case_id IN (%s) AND org_id = $%d AND status = 'active'
		AND (purpose <> '%s' OR granted_by = $%d)
		UNION SELECT case_id FROM sections WHERE case_id IN (%s) AND author_org = $%d`, in, n+1, casefile.PurposeBreakGlass, n+2, in, n+1), args...)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate relations: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, func(sc Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate relations: %w", err)
	}
	return out, nil
}

// placeholders returns n numbered placeholders from $first, for an IN list.
func placeholders(first, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(first+i)
	}
	return strings.Join(ps, ", ")
}

func anys(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}
