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

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
)

// sealedRead is what one organisation needs to open its sections of a
// case, read in one snapshot: its wrap, the identity the wrap is addressed
// to (still wrapped) and the stored sections with that wrap's MACs.
type sealedRead struct {
	org      string
	wrap     []byte
	identity []byte
	stored   []seal.StoredSection
}

// loadSealed reads org's wrap, identity and MACs for the wanted sections.
// A wanted section without a MAC or a wrap is an integrity failure: the
// grants say it is readable, the crypto must agree.
func (s *service) loadSealed(ctx context.Context, q querier, caseID, org string, secs []sectionRow, wanted map[seal.SectionID]bool) (sealedRead, error) {
	r := sealedRead{org: org}
	if len(wanted) == 0 {
		return r, nil
	}
	err := q.QueryRowContext(ctx, `SELECT w.wrap, k.wrapped_identity FROM wraps w
		JOIN org_keys k ON k.org_id = w.org_id AND k.version = w.key_version
		WHERE w.case_id = $1 AND w.org_id = $2 AND k.state <> 'destroyed'`, caseID, org).Scan(&r.wrap, &r.identity)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("intake: case %s: no wrap for a readable section: %w", caseID, ErrIntegrity)
	}
	if err != nil {
		return r, fmt.Errorf("intake: case %s: wrap: %w", caseID, err)
	}
	macs, err := s.store.macs(ctx, q, caseID, org)
	if err != nil {
		return r, err
	}
	for _, sec := range secs {
		if !wanted[sec.Header.ID()] {
			continue
		}
		// A missing MAC stays empty and fails the check in OpenSections.
		r.stored = append(r.stored, seal.StoredSection{Header: sec.Header, Sealed: sec.Sealed, MAC: macs[sec.Header.ID()]})
	}
	return r, nil
}

// open checks every MAC, decrypts the wrap once with org's identity and
// opens the sections: all of them or none.
func (s *service) open(r sealedRead) (map[string][]byte, error) {
	out := map[string][]byte{}
	if len(r.stored) == 0 {
		return out, nil
	}
	id, err := s.unwrapIdentity(r.org, r.identity)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIntegrity, err)
	}
	pts, err := seal.OpenSections(id, r.org, s.macKey, r.wrap, r.stored)
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
		if sec.Header.AuthorOrg == org {
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
	var (
		row      caseRow
		consents []Consent
		sealed   sealedRead
		withheld []string
	)
	err = s.store.readTx(ctx, func(tx *sql.Tx) error {
		if row, err = s.store.caseByID(ctx, tx, id, false); err != nil {
			if errors.Is(err, ErrNotFound) {
				return errDenied
			}
			return err
		}
		secs, err := s.store.sections(ctx, tx, id)
		if err != nil {
			return err
		}
		grants, err := s.store.grants(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canSee(row, secs, grants, p.OrgID) {
			return errDenied
		}
		readable := readableFor(secs, grants, p.OrgID)
		if row.OwnerOrg == p.OrgID {
			for _, sec := range secs {
				if !readable[sec.Header.ID()] {
					withheld = append(withheld, sec.Header.Section)
				}
			}
		}
		if sealed, err = s.loadSealed(ctx, tx, id, p.OrgID, secs, readable); err != nil {
			return err
		}
		consents, err = s.store.consents(ctx, tx, id)
		return err
	})
	if errors.Is(err, errDenied) {
		return Case{}, s.deny(ctx, "intake.case.read", id)
	}
	if err != nil {
		return Case{}, s.readFailed(ctx, id, err)
	}
	// Fail closed: the read is durably in the outbox before anything is
	// decrypted, or nothing is returned.
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.case.read", "case", id, event.Allowed)); err != nil {
		return Case{}, err
	}
	sections, err := s.open(sealed)
	if err != nil {
		return Case{}, s.readFailed(ctx, id, err)
	}
	return view(row, consents, sections, withheld), nil
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
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.case.list", "case", "", event.Allowed)); err != nil {
		return CasePage{}, err
	}
	return page, nil
}
