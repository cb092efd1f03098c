package intake

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// sealedRead is what one organisation needs to open its sections of a
// case, read in one snapshot: its wrap, the identity the wrap is addressed
// to (still wrapped) and the stored sections with that wrap's MACs.
type sealedRead struct {
	org        string
	wrap       []byte
	keyVersion int
	oldestLive int
	identity   []byte
	stored     []seal.StoredSection
}

// readRow is the case with org's wrap, when it has one, and the identity
// version that wrap names unless destroyed.
type readRow struct {
	caseRow
	keyVersion sql.NullInt64
	oldestLive sql.NullInt64
	wrap       []byte
	macs       []byte // the wrap's section MACs, stored (keyring/macset.go)
	identity   []byte
}

// caseReadColumns and caseReadFrom make caseForRead's statement: the case
// ($1) with org's ($2) wrap and its section MACs, the identity version that
// wrap names unless destroyed, and org's oldest live identity version.
var caseReadColumns = qualified("c", caseColumns) + `, w.key_version, w.wrap, w.section_macs, k.wrapped_identity,
	(SELECT MIN(version) FROM org_keys WHERE org_id = $2 AND state <> 'destroyed')`

const caseReadFrom = ` FROM cases c LEFT JOIN wraps w ON w.case_id = c.id AND w.org_id = $2
	LEFT JOIN org_keys k ON k.org_id = w.org_id AND k.version = w.key_version AND k.state <> 'destroyed'
	WHERE c.id = $1`

// scanTargets returns the destinations of caseReadColumns; the caseRow is
// finished after the scan.
func (r *readRow) scanTargets() []any {
	return append(caseScanTargets(&r.caseRow), &r.keyVersion, &r.wrap, &r.macs, &r.identity, &r.oldestLive)
}

// caseForRead reads the case and org's wrap and identity in one statement.
func (s *store) caseForRead(ctx context.Context, q querier, id, org string) (readRow, error) {
	if !validID(id) {
		return readRow{}, ErrNotFound
	}
	var r readRow
	err := q.QueryRowContext(ctx, `SELECT `+caseReadColumns+caseReadFrom, id, org).Scan(r.scanTargets()...)
	if errors.Is(err, sql.ErrNoRows) {
		return readRow{}, ErrNotFound
	}
	if err != nil {
		return readRow{}, fmt.Errorf("intake: case: %w", err)
	}
	r.caseRow.finish()
	return r, nil
}

// sectionColumns, sectionFrom and sectionOrder make the statement of
// store.sections: the sections of the case ($1).
const (
	sectionColumns = `s.section, s.version, s.author_org, s.sealed`
	sectionFrom    = ` FROM sections s WHERE s.case_id = $1`
	sectionOrder   = `s.section`
)

// scanSections reads rows of sectionColumns.
func scanSections(rs rowIter, caseID string) ([]sectionRow, error) {
	var out []sectionRow
	for rs.Next() {
		r := sectionRow{Header: seal.Header{CaseID: caseID}}
		if err := rs.Scan(&r.Header.Section, &r.Header.Version, &r.Header.AuthorOrg, &r.Sealed); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// caseSnapshot is everything a read of a case needs, from one snapshot.
type caseSnapshot struct {
	row      readRow
	secs     []sectionRow
	macs     map[seal.SectionID][]byte
	grants   []grantRow
	consents []Consent
}

// caseSnapshot reads the case as org reads it, or ErrNotFound: one statement
// on PostgreSQL (one round trip instead of six), a read transaction on SQLite.
func (s *store) caseSnapshot(ctx context.Context, id, org string) (caseSnapshot, error) {
	if s.db.Engine == db.Postgres {
		return s.caseSnapshotOne(ctx, id, org)
	}
	return s.caseSnapshotTx(ctx, id, org)
}

// caseSnapshotTx is caseSnapshot in a read transaction, on either engine.
func (s *store) caseSnapshotTx(ctx context.Context, id, org string) (caseSnapshot, error) {
	var snap caseSnapshot
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		snap, err = s.caseSnapshotIn(ctx, tx, id, org)
		return err
	})
	return snap, err
}

// caseSnapshotIn is caseSnapshot in q's snapshot.
func (s *store) caseSnapshotIn(ctx context.Context, q querier, id, org string) (caseSnapshot, error) {
	var (
		snap caseSnapshot
		err  error
	)
	if snap.row, err = s.caseForRead(ctx, q, id, org); err != nil {
		return snap, err
	}
	if snap.macs, err = keyring.DecodeMACs(id, snap.row.macs); err != nil {
		return snap, err
	}
	if snap.secs, err = s.sections(ctx, q, id); err != nil {
		return snap, err
	}
	if snap.grants, err = s.grants(ctx, q, id); err != nil {
		return snap, err
	}
	snap.consents, err = s.consents(ctx, q, id)
	return snap, err
}

// sealedFor picks org's readable sections with their MACs. A wanted
// section without a MAC or a wrap is an integrity failure: the grants say
// it is readable, the crypto must agree.
func sealedFor(r readRow, org string, secs []sectionRow, macs map[seal.SectionID][]byte, wanted map[seal.SectionID]bool) (sealedRead, error) {
	out := sealedRead{org: org}
	if len(wanted) == 0 {
		return out, nil
	}
	if r.wrap == nil || r.identity == nil {
		return out, fmt.Errorf("intake: case %s: no wrap for a readable section: %w", r.ID, ErrIntegrity)
	}
	out.wrap, out.identity = r.wrap, r.identity
	out.keyVersion, out.oldestLive = int(r.keyVersion.Int64), int(r.oldestLive.Int64)
	for _, sec := range secs {
		if !wanted[sec.Header.ID()] {
			continue
		}
		// A missing MAC stays empty and fails the check in OpenSections.
		out.stored = append(out.stored, seal.StoredSection{Header: sec.Header, Sealed: sec.Sealed, MAC: macs[sec.Header.ID()]})
	}
	return out, nil
}

// loadSealed reads org's wrap, identity and MACs for the wanted sections
// of secs, in q's snapshot (a transaction that changes the case).
func (s *service) loadSealed(ctx context.Context, q querier, caseID, org string, secs []sectionRow, wanted map[seal.SectionID]bool) (sealedRead, error) {
	if len(wanted) == 0 {
		return sealedRead{org: org}, nil
	}
	r, err := s.store.caseForRead(ctx, q, caseID, org)
	if err != nil {
		return sealedRead{org: org}, err
	}
	macs, err := s.store.macs(ctx, q, caseID, org)
	if err != nil {
		return sealedRead{org: org}, err
	}
	return sealedFor(r, org, secs, macs, wanted)
}

// open checks every MAC, decrypts the wrap once with org's identity and
// opens the sections: all of them or none.
func (s *service) open(r sealedRead) (map[string][]byte, error) {
	out := map[string][]byte{}
	if len(r.stored) == 0 {
		return out, nil
	}
	id, err := s.ring.LiveIdentity(r.org, r.keyVersion, r.oldestLive, r.identity)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIntegrity, err)
	}
	pts, err := seal.OpenSections(id, r.org, s.macKey, r.wrap, r.stored, s.unlock(r.stored[0].Header.CaseID))
	if err != nil {
		return nil, fmt.Errorf("intake: open sections: %w: %w", ErrIntegrity, err)
	}
	for sid, pt := range pts {
		out[sid.Section] = pt
	}
	return out, nil
}

// canSee reports whether org may see the case at all: its owner, an
// author of a section, or the holder of an active grant. A pending
// grantee sees nothing until it accepts.
func canSee(c caseRow, secs []sectionRow, grants []grantRow, org string) bool {
	if org == "" {
		return false
	}
	if c.OwnerOrg == org {
		return true
	}
	if c.Status == StatusDraft {
		return false
	}
	for _, sec := range secs {
		if sec.Header.AuthorOrg == org && authorReads(grants, org) {
			return true
		}
	}
	for _, g := range grants {
		if g.OrgID == org && g.Status == GrantActive {
			return true
		}
	}
	return false
}

func (s *service) Get(ctx context.Context, id string) (Case, error) {
	c, err := s.get(ctx, id)
	s.metrics.reads.WithLabelValues(errCode(err)).Inc()
	return c, err
}

func (s *service) get(ctx context.Context, id string) (Case, error) {
	p, err := principal(ctx)
	if err != nil {
		return Case{}, err
	}
	snap, err := s.store.caseSnapshot(ctx, id, p.OrgID)
	if errors.Is(err, ErrNotFound) {
		return Case{}, s.deny(ctx, "intake.case.read", id)
	}
	if err != nil {
		return Case{}, s.readFailed(ctx, id, err)
	}
	r, err := s.readable(p, snap)
	if err != nil {
		return Case{}, s.finishRead(ctx, err, "intake.case.read", id)
	}
	// Fail closed: the read is durably in the outbox before anything is
	// decrypted, or nothing is returned.
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.case.read", "case", id, event.Allowed)); err != nil {
		return Case{}, err
	}
	return s.openCase(ctx, r)
}

// caseRead is a case as the caller may read it, before anything is opened.
type caseRead struct {
	snap     caseSnapshot // its grants already those the caller may use
	withheld []string     // for the owner: the sections it cannot open
	sealed   sealedRead
}

// readable decides what p may read of snap: errDenied when p may not see
// the case at all.
func (s *service) readable(p auth.Principal, snap caseSnapshot) (caseRead, error) {
	row := snap.row.caseRow
	snap.grants = grantsFor(p, snap.grants)
	if !canSee(row, snap.secs, snap.grants, p.OrgID) {
		return caseRead{}, errDenied
	}
	readable := readableFor(snap.secs, snap.grants, p.OrgID)
	var withheld []string
	if row.OwnerOrg == p.OrgID {
		for _, sec := range snap.secs {
			if !readable[sec.Header.ID()] {
				withheld = append(withheld, sec.Header.Section)
			}
		}
	}
	sealed, err := sealedFor(snap.row, p.OrgID, snap.secs, snap.macs, readable)
	if err != nil {
		return caseRead{}, err
	}
	return caseRead{snap: snap, withheld: withheld, sealed: sealed}, nil
}

// openCase opens r's sections (once its read is audited).
func (s *service) openCase(ctx context.Context, r caseRead) (Case, error) {
	sections, err := s.open(r.sealed)
	if err != nil {
		return Case{}, s.readFailed(ctx, r.snap.row.ID, err)
	}
	return view(r.snap.row.caseRow, r.snap.consents, sections, r.withheld), nil
}

// finishRead answers a read that cannot go on: a denial as ErrNotFound
// (audited as action), anything else as a failed read.
func (s *service) finishRead(ctx context.Context, err error, action, id string) error {
	if errors.Is(err, errDenied) || errors.Is(err, ErrNotFound) {
		return s.deny(ctx, action, id)
	}
	return s.readFailed(ctx, id, err)
}

// readFailed logs and audits a read that could not complete; an integrity
// failure is answered as such, anything else as unavailable.
func (s *service) readFailed(ctx context.Context, id string, err error) error {
	_ = level.Error(s.log).Log("msg", "case read failed", "case", id, "err", err)
	if errors.Is(err, ErrIntegrity) {
		_ = s.auditAlone(ctx, s.rec.New(ctx, "intake.case.integrity", "case", id, event.Failed))
		return ErrIntegrity
	}
	if errors.Is(err, ErrUnavailable) {
		return ErrUnavailable
	}
	return fmt.Errorf("intake: read case %s: %w", id, err)
}

// cursor is a position in a newest-first list.
type cursor struct {
	At time.Time
	ID string
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMicro(), 10) + "|" + c.ID))
}

func parseCursor(v string) (*cursor, error) {
	if v == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	at, id, ok := strings.Cut(string(b), "|")
	micros, perr := strconv.ParseInt(at, 10, 64)
	if err != nil || !ok || perr != nil || !validID(id) {
		return nil, kit.Validation("after: not a cursor from a previous page")
	}
	return &cursor{At: time.UnixMicro(micros).UTC(), ID: id}, nil
}

func pageLimit(n int) (int, error) {
	switch {
	case n == 0:
		return 50, nil
	case n < 1 || n > 200:
		return 0, kit.Validation("limit: must be between 1 and 200")
	}
	return n, nil
}

func (s *service) List(ctx context.Context, q ListQuery) (CasePage, error) {
	p, err := principal(ctx)
	if err != nil {
		return CasePage{}, err
	}
	if p.OrgID == "" {
		return CasePage{Cases: []Case{}}, nil
	}
	if q.Status != "" && !slices.Contains([]string{StatusDraft, StatusRegistered, StatusSubmitted}, q.Status) {
		return CasePage{}, kit.Validation("status: must be one of draft, registered, submitted")
	}
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return CasePage{}, err
	}
	after, err := parseCursor(q.After)
	if err != nil {
		return CasePage{}, err
	}
	rows, err := s.store.listCases(ctx, p.OrgID, q.Status, after, limit)
	if err != nil {
		return CasePage{}, err
	}
	page := CasePage{Cases: make([]Case, 0, len(rows))}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.Next = cursor{At: last.CreatedAt, ID: last.ID}.String()
	}
	for _, r := range rows {
		page.Cases = append(page.Cases, r.Case)
	}
	if hasCaseload(p) && q.After == "" && q.Status == "" {
		if page.Caseload, err = s.store.caseload(ctx, p.OrgID); err != nil {
			return CasePage{}, err
		}
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.case.list", "case", "", event.Allowed)); err != nil {
		return CasePage{}, err
	}
	return page, nil
}
