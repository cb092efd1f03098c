package cases

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Match strengths.
const (
	StrengthNameAndYear = "name_and_year"
	StrengthNameOnly    = "name_only"
)

// checkDuplicates stores the case's blind indexes and records the cases
// they meet. Nothing of the outcome reaches the registering officer: the
// caller's response and audit trail are the same with or without a match.
func (s *Cases) checkDuplicates(ctx context.Context, tx *sql.Tx, c store.CaseRow, id *IdentityInfo, declaredYear int) error {
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
func (s *Cases) duplicateProbe(c store.CaseRow, id *IdentityInfo, declaredYear int) duplicateProbe {
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
func (s *Cases) recordDuplicates(ctx context.Context, tx store.Querier, p duplicateProbe) error {
	if len(p.own) == 0 {
		return nil
	}
	found, err := s.matchProbes(ctx, tx, p)
	if err != nil {
		return err
	}
	return s.storeDuplicates(ctx, tx, probeMatches{p, found[0]})
}

// probeMatches is a probe with the other cases it meets and how strongly.
type probeMatches struct {
	probe duplicateProbe
	found map[string]string
}

// storeDuplicates stores the probes' indexes and the matches found for
// them (by matchProbes, in the same transaction): two statements at most.
func (s *Cases) storeDuplicates(ctx context.Context, tx store.Querier, sets ...probeMatches) error {
	return s.writeDuplicates(ctx, tx, ` ON CONFLICT DO NOTHING`, sets)
}

// storeNewDuplicates is storeDuplicates for cases created in the same
// transaction, which have no rows yet: plain inserts, which PostgreSQL
// makes without the speculative insertion that ON CONFLICT costs.
func (s *Cases) storeNewDuplicates(ctx context.Context, tx store.Querier, sets ...probeMatches) error {
	return s.writeDuplicates(ctx, tx, "", sets)
}

func (s *Cases) writeDuplicates(ctx context.Context, tx store.Querier, onConflict string, sets []probeMatches) error {
	var indexes, matches []any
	now := s.now()
	for _, set := range sets {
		p := set.probe
		for _, ix := range p.own {
			indexes = append(indexes, p.caseID, int64(ix), p.withYear)
		}
		for other, strength := range set.found {
			matches = append(matches, event.NewID(), p.caseID, other, strength, now)
		}
	}
	if len(indexes) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO blind_indexes (case_id, idx, with_year) VALUES `+store.ValueLists(len(indexes)/3, 3)+
		onConflict, indexes...); err != nil {
		return fmt.Errorf("intake: blind index: %w", err)
	}
	if len(matches) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO duplicates (id, case_id, matches_id, strength, found_at) VALUES `+
		store.ValueLists(len(matches)/5, 5)+onConflict, matches...); err != nil {
		return fmt.Errorf("intake: record duplicate: %w", err)
	}
	return s.tellDuplicates(ctx, tx, sets)
}

// tellDuplicates tells the national desk, and the decision makers of the
// organisations deciding either case, of each match found: ids and the
// match's strength only, and nothing to the registering officer, whose
// response is the same with or without a match. The ids derive from the
// pair and the recipient, so a match recorded again is told once.
func (s *Cases) tellDuplicates(ctx context.Context, tx store.Querier, sets []probeMatches) error {
	var ids []any
	for _, set := range sets {
		for other := range set.found {
			ids = append(ids, set.probe.caseID, other)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT case_id, org_id FROM grants WHERE purpose = 'decision'
		AND status = 'active' AND case_id IN (`+placeholders(len(ids))+`) ORDER BY case_id, org_id`, ids...)
	if err != nil {
		return fmt.Errorf("intake: duplicate notices: %w", err)
	}
	deciding := map[string][]string{}
	for rows.Next() {
		var caseID, org string
		if err := rows.Scan(&caseID, &org); err != nil {
			rows.Close()
			return fmt.Errorf("intake: duplicate notices: %w", err)
		}
		deciding[caseID] = append(deciding[caseID], org)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("intake: duplicate notices: %w", err)
	}
	now := s.now()
	var ns []notice.Notice
	for _, set := range sets {
		caseID := set.probe.caseID
		others := slices.Sorted(maps.Keys(set.found))
		for _, other := range others {
			n := notice.Notice{Kind: notice.KindDuplicateMatch, Detail: set.found[other], ObjectType: notice.ObjectCase,
				ObjectID: caseID, CreatedAt: now}
			desk := n
			desk.ID, desk.Role = notice.ID(n.Kind, caseID, other, notice.RoleNationalDesk), notice.RoleNationalDesk
			ns = append(ns, desk)
			orgs := append(slices.Clone(deciding[caseID]), deciding[other]...)
			slices.Sort(orgs)
			for _, org := range slices.Compact(orgs) {
				dm := n
				dm.ID, dm.Org, dm.Role = notice.ID(n.Kind, caseID, other, org), org, auth.RoleDecisionMaker
				ns = append(ns, dm)
			}
		}
	}
	// A registration's held-back writes answer no row count, which the
	// outbox checks: they go out first, and the notices directly (a match
	// is rare, so the round trip is too).
	var out outbox.Execer = tx
	if w, ok := tx.(*store.DeferredWrites); ok {
		if err := w.Flush(ctx); err != nil {
			return err
		}
		out = w.Tx()
	}
	return s.emitNotices(ctx, out, ns...)
}

// matchProbes returns, for each probe, the other cases it meets with the
// strength of their best match: the same indexes with a year, or the
// name-only indexes among cases without one. The stored cases are looked
// up in one statement; a probe also meets the probes before it, which are
// written in the same transaction (registrations committed together).
func (s *Cases) matchProbes(ctx context.Context, tx store.Querier, ps ...duplicateProbe) ([]map[string]string, error) {
	found := make([]map[string]string, len(ps))
	var (
		args []any
		q    strings.Builder
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
		found[i] = map[string]string{}
		if len(p.own) == 0 {
			continue
		}
		for _, earlier := range ps[:i] {
			meet(found[i], p, earlier)
		}
		if q.Len() > 0 {
			q.WriteString("\nUNION ALL ")
		}
		args = append(args, i, p.caseID, false)
		n := len(args)
		fmt.Fprintf(&q, `SELECT DISTINCT CAST($%d AS INTEGER), case_id, with_year FROM blind_indexes WHERE case_id <> $%d AND (with_year = $%d AND idx IN (%s)`,
			n-2, n-1, n, in(p.nameOnly))
		if p.withYear {
			args = append(args, true)
			n := len(args)
			fmt.Fprintf(&q, ` OR with_year = $%d AND idx IN (%s)`, n, in(p.own))
		}
		q.WriteString(")")
	}
	if q.Len() == 0 {
		return found, nil
	}
	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("intake: duplicate lookup: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i        int
			other    string
			withYear bool
		)
		if err := rows.Scan(&i, &other, &withYear); err != nil {
			return nil, fmt.Errorf("intake: duplicate lookup: %w", err)
		}
		if i < 0 || i >= len(ps) {
			return nil, fmt.Errorf("intake: duplicate lookup: probe %d of %d", i, len(ps))
		}
		addMatch(found[i], other, withYear)
	}
	return found, rows.Err()
}

// meet records in found whether probe p meets the stored indexes of
// other, as the lookup of matchProbes would once other is written.
func meet(found map[string]string, p, other duplicateProbe) {
	if len(other.own) == 0 || other.caseID == p.caseID {
		return
	}
	switch {
	case p.withYear && other.withYear && overlap(p.own, other.own):
		addMatch(found, other.caseID, true)
	case !other.withYear && overlap(p.nameOnly, other.own):
		addMatch(found, other.caseID, false)
	}
}

// addMatch keeps the strongest match with other.
func addMatch(found map[string]string, other string, withYear bool) {
	if withYear {
		found[other] = StrengthNameAndYear
	} else if _, ok := found[other]; !ok {
		found[other] = StrengthNameOnly
	}
}

// overlap reports whether two sorted index lists share a value.
func overlap(a, b []uint32) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

func (s *Cases) Duplicates(ctx context.Context, q ListQuery) (DuplicatePage, error) {
	p, err := principal(ctx)
	if err != nil {
		return DuplicatePage{}, err
	}
	if !p.HasRole(auth.RoleCoordinator) && !p.HasRole(auth.RoleDecisionMaker) {
		s.countDenial(kit.CodeForbidden)
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
		page.Next = store.Cursor{At: last.FoundAt, ID: last.ID}.String()
	}
	if err := s.viewDuplicates(ctx, s.db, p, page.Duplicates); err != nil {
		return DuplicatePage{}, err
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.duplicate.list", "duplicate", "", event.Allowed)); err != nil {
		return DuplicatePage{}, err
	}
	return page, nil
}

// placeholders returns n numbered placeholders, for an IN list.
func placeholders(n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(i+1)
	}
	return strings.Join(ps, ", ")
}
