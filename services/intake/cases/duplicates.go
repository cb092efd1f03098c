package cases

import (
	"context"
	"database/sql"
	"maps"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake/casefile"
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
	if c.Route == casefile.RouteAnonymous || id == nil {
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
	return s.writeDuplicates(ctx, tx, true, sets)
}

// storeNewDuplicates is storeDuplicates for cases created in the same
// transaction, which have no rows yet: plain inserts, which PostgreSQL
// makes without the speculative insertion that ON CONFLICT costs.
func (s *Cases) storeNewDuplicates(ctx context.Context, tx store.Querier, sets ...probeMatches) error {
	return s.writeDuplicates(ctx, tx, false, sets)
}

func (s *Cases) writeDuplicates(ctx context.Context, tx store.Querier, existing bool, sets []probeMatches) error {
	var (
		indexes []store.BlindIndex
		matches []Duplicate
	)
	now := s.now()
	for _, set := range sets {
		p := set.probe
		for _, ix := range p.own {
			indexes = append(indexes, store.BlindIndex{CaseID: p.caseID, Idx: ix, WithYear: p.withYear})
		}
		for other, strength := range set.found {
			matches = append(matches, Duplicate{ID: event.NewID(), CaseID: p.caseID, MatchesID: other, Strength: strength, FoundAt: now})
		}
	}
	if len(indexes) == 0 {
		return nil
	}
	if err := s.store.InsertBlindIndexes(ctx, tx, indexes, existing); err != nil {
		return err
	}
	if len(matches) == 0 {
		return nil
	}
	if err := s.store.InsertDuplicates(ctx, tx, matches, existing); err != nil {
		return err
	}
	return s.tellDuplicates(ctx, tx, sets)
}

// tellDuplicates tells the national desk, and the decision makers of the
// organisations deciding either case, of each match found: ids and the
// match's strength only, and nothing to the registering officer, whose
// response is the same with or without a match. The ids derive from the
// pair and the recipient, so a match recorded again is told once.
func (s *Cases) tellDuplicates(ctx context.Context, tx store.Querier, sets []probeMatches) error {
	var ids []string
	for _, set := range sets {
		for other := range set.found {
			ids = append(ids, set.probe.caseID, other)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	deciding, err := s.store.DecidingOrgs(ctx, tx, ids)
	if err != nil {
		return err
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
	stored := make([]store.IndexProbe, len(ps))
	for i, p := range ps {
		found[i] = map[string]string{}
		if len(p.own) == 0 {
			continue
		}
		for _, earlier := range ps[:i] {
			meet(found[i], p, earlier)
		}
		stored[i] = store.IndexProbe{CaseID: p.caseID, Own: p.own, WithYear: p.withYear, NameOnly: p.nameOnly}
	}
	ms, err := s.store.MatchIndexes(ctx, tx, stored)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		addMatch(found[m.Probe], m.CaseID, m.WithYear)
	}
	return found, nil
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
	p, err := auth.Required(ctx)
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
	ds, err := s.store.ListDuplicates(ctx, after, limit)
	if err != nil {
		return DuplicatePage{}, err
	}
	page := DuplicatePage{Duplicates: ds}
	if page.Duplicates == nil {
		page.Duplicates = []Duplicate{}
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
