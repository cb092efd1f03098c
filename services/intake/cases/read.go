package cases

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
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

// sealedFor picks org's readable sections with their MACs. A wanted
// section without a MAC or a wrap is an integrity failure: the grants say
// it is readable, the crypto must agree.
func sealedFor(r store.ReadRow, org string, secs []store.SectionRow, macs map[seal.SectionID][]byte, wanted map[seal.SectionID]bool) (sealedRead, error) {
	out := sealedRead{org: org}
	if len(wanted) == 0 {
		return out, nil
	}
	if r.Wrap == nil || r.Identity == nil {
		return out, fmt.Errorf("intake: case %s: no wrap for a readable section: %w", r.ID, ErrIntegrity)
	}
	out.wrap, out.identity = r.Wrap, r.Identity
	out.keyVersion, out.oldestLive = int(r.KeyVersion.Int64), int(r.OldestLive.Int64)
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
func (s *Cases) loadSealed(ctx context.Context, q store.Querier, caseID, org string, secs []store.SectionRow, wanted map[seal.SectionID]bool) (sealedRead, error) {
	if len(wanted) == 0 {
		return sealedRead{org: org}, nil
	}
	r, err := s.store.CaseForRead(ctx, q, caseID, org)
	if err != nil {
		return sealedRead{org: org}, err
	}
	macs, err := s.store.Macs(ctx, q, caseID, org)
	if err != nil {
		return sealedRead{org: org}, err
	}
	return sealedFor(r, org, secs, macs, wanted)
}

// open checks every MAC, decrypts the wrap once with org's identity and
// opens the sections: all of them or none.
func (s *Cases) open(r sealedRead) (map[string][]byte, error) {
	out := map[string][]byte{}
	if len(r.stored) == 0 {
		return out, nil
	}
	id, err := s.ring.LiveIdentity(r.org, r.keyVersion, r.oldestLive, r.identity)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIntegrity, err)
	}
	pts, err := seal.OpenSections(id, r.org, s.macKey, r.wrap, r.stored, s.cw.Unlock(r.stored[0].Header.CaseID))
	if err != nil {
		return nil, fmt.Errorf("intake: open sections: %w: %w", ErrIntegrity, err)
	}
	for sid, pt := range pts {
		out[sid.Section] = pt
	}
	return out, nil
}

func (s *Cases) Get(ctx context.Context, id string) (Case, error) {
	c, err := s.get(ctx, id)
	s.metrics.Reads.WithLabelValues(outcome(ctx, err)).Inc()
	return c, err
}

func (s *Cases) get(ctx context.Context, id string) (Case, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Case{}, err
	}
	snap, err := s.store.Snapshot(ctx, id, p.OrgID)
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
	snap     store.Snapshot // its grants already those the caller may use
	withheld []string       // for the owner: the sections it cannot open
	sealed   sealedRead
}

// readable decides what p may read of snap: errDenied when p may not see
// the case at all.
func (s *Cases) readable(p auth.Principal, snap store.Snapshot) (caseRead, error) {
	row := snap.Row.CaseRow
	snap.Grants = s.cw.GrantsFor(p, snap.Grants)
	if !s.cw.CanSee(row, snap.Secs, snap.Grants, p.OrgID) {
		return caseRead{}, errDenied
	}
	readable := s.cw.ReadableFor(snap.Secs, snap.Grants, p.OrgID)
	var withheld []string
	if row.OwnerOrg == p.OrgID {
		for _, sec := range snap.Secs {
			if !readable[sec.Header.ID()] {
				withheld = append(withheld, sec.Header.Section)
			}
		}
	}
	sealed, err := sealedFor(snap.Row, p.OrgID, snap.Secs, snap.Macs, readable)
	if err != nil {
		return caseRead{}, err
	}
	return caseRead{snap: snap, withheld: withheld, sealed: sealed}, nil
}

// openCase opens r's sections (once its read is audited).
func (s *Cases) openCase(ctx context.Context, r caseRead) (Case, error) {
	sections, err := s.open(r.sealed)
	if err != nil {
		return Case{}, s.readFailed(ctx, r.snap.Row.ID, err)
	}
	return View(r.snap.Row.CaseRow, r.snap.Consents, sections, r.withheld), nil
}

func parseCursor(v string) (*store.Cursor, error) {
	if v == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	at, id, ok := strings.Cut(string(b), "|")
	micros, perr := strconv.ParseInt(at, 10, 64)
	if err != nil || !ok || perr != nil || !casefile.ValidID(id) {
		return nil, kit.Validation("after: not a cursor from a previous page")
	}
	return &store.Cursor{At: time.UnixMicro(micros).UTC(), ID: id}, nil
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

func (s *Cases) List(ctx context.Context, q ListQuery) (CasePage, error) {
	p, err := auth.Required(ctx)
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
	rows, err := s.store.ListCases(ctx, p.OrgID, q.Status, after, limit)
	if err != nil {
		return CasePage{}, err
	}
	page := CasePage{Cases: make([]Case, 0, len(rows))}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.Next = store.Cursor{At: last.CreatedAt, ID: last.ID}.String()
	}
	for _, r := range rows {
		page.Cases = append(page.Cases, r.Case)
	}
	if hasCaseload(p) && q.After == "" && q.Status == "" {
		if page.Caseload, err = s.store.Caseload(ctx, p.OrgID); err != nil {
			return CasePage{}, err
		}
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.case.list", "case", "", event.Allowed)); err != nil {
		return CasePage{}, err
	}
	return page, nil
}

// finishRead answers a read that cannot go on: a denial as ErrNotFound
// (audited as action), anything else as a failed read.
func (s *Cases) finishRead(ctx context.Context, err error, action, id string) error {
	if errors.Is(err, errDenied) || errors.Is(err, ErrNotFound) {
		return s.deny(ctx, action, id)
	}
	return s.readFailed(ctx, id, err)
}
