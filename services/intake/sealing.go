package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// sectionRow is a stored section: its header and sealed bytes.
type sectionRow struct {
	Header seal.Header
	Sealed seal.Sealed
}

// wrapRow is one organisation's wrap of a case. SectionMACs, when set, are
// written with it (keyring/macset.go); a wrap written without them has none until
// putMACs.
type wrapRow struct {
	CaseID      string
	OrgID       string
	KeyVersion  int
	Held        []seal.SectionID
	Wrap        []byte
	MAC         []byte
	SectionMACs map[seal.SectionID][]byte
}

func encodeHeld(ids []seal.SectionID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.Section + ":" + strconv.Itoa(id.Version)
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func decodeHeld(caseID, v string) []seal.SectionID {
	var out []seal.SectionID
	for _, p := range splitCodes(v) {
		name, ver, _ := strings.Cut(p, ":")
		n, _ := strconv.Atoi(ver)
		out = append(out, seal.SectionID{CaseID: caseID, Section: name, Version: n})
	}
	return out
}

// sections returns the current sections of a case (the table holds one
// version of each registration section; a draft update replaces it).
func (s *store) sections(ctx context.Context, q querier, caseID string) ([]sectionRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+sectionColumns+sectionFrom+` ORDER BY `+sectionOrder, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: sections: %w", err)
	}
	defer rows.Close()
	secs, err := scanSections(rows, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: sections: %w", err)
	}
	return secs, nil
}

// insertSections writes the sections in one statement.
func (s *store) insertSections(ctx context.Context, q querier, rows []sectionRow, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(rows))
	for _, r := range rows {
		args = append(args, r.Header.CaseID, r.Header.Section, r.Header.Version, r.Header.AuthorOrg, []byte(r.Sealed), now)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO sections (case_id, section, version, author_org, sealed, created_at) VALUES `+
		valueLists(len(rows), 6), args...)
	if err != nil {
		return fmt.Errorf("intake: insert sections: %w", err)
	}
	return nil
}

// valueLists returns n parenthesised lists of cols numbered placeholders,
// for a multi-row INSERT.
func valueLists(n, cols int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(i*cols + j + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (s *store) replaceSealed(ctx context.Context, q querier, r sectionRow) error {
	_, err := q.ExecContext(ctx, `UPDATE sections SET sealed = $4 WHERE case_id = $1 AND section = $2 AND version = $3`,
		r.Header.CaseID, r.Header.Section, r.Header.Version, []byte(r.Sealed))
	if err != nil {
		return fmt.Errorf("intake: reseal section: %w", err)
	}
	return nil
}

func (s *store) deleteSections(ctx context.Context, q querier, caseID string) error {
	if _, err := q.ExecContext(ctx, `UPDATE wraps SET section_macs = $2 WHERE case_id = $1`, caseID, []byte{}); err != nil {
		return fmt.Errorf("intake: delete section MACs: %w", err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM sections WHERE case_id = $1`, caseID); err != nil {
		return fmt.Errorf("intake: delete sections: %w", err)
	}
	return nil
}

const wrapColumns = `case_id, org_id, key_version, held, wrap, mac`

func scanWrap(sc scanner) (wrapRow, error) {
	var (
		w    wrapRow
		held string
	)
	if err := sc.Scan(&w.CaseID, &w.OrgID, &w.KeyVersion, &held, &w.Wrap, &w.MAC); err != nil {
		return wrapRow{}, err
	}
	w.Held = decodeHeld(w.CaseID, held)
	return w, nil
}

// wrap returns orgID's wrap of the case, or ErrNotFound.
func (s *store) wrap(ctx context.Context, q querier, caseID, orgID string) (wrapRow, error) {
	w, err := scanWrap(q.QueryRowContext(ctx, `SELECT `+wrapColumns+` FROM wraps WHERE case_id = $1 AND org_id = $2`, caseID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return wrapRow{}, ErrNotFound
	}
	if err != nil {
		return wrapRow{}, fmt.Errorf("intake: wrap: %w", err)
	}
	return w, nil
}

func (s *store) wrapsOfCase(ctx context.Context, q querier, caseID string) ([]wrapRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+wrapColumns+` FROM wraps WHERE case_id = $1 ORDER BY org_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: wraps: %w", err)
	}
	defer rows.Close()
	var out []wrapRow
	for rows.Next() {
		w, err := scanWrap(rows)
		if err != nil {
			return nil, fmt.Errorf("intake: wraps: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func (s *store) putWrap(ctx context.Context, q querier, w wrapRow, now time.Time) error {
	return s.putWraps(ctx, q, now, w)
}

// putWraps writes wraps in one statement, each replacing its
// organisation's wrap of its case.
func (s *store) putWraps(ctx context.Context, q querier, now time.Time, ws ...wrapRow) error {
	return s.writeWraps(ctx, q, now, `
		ON CONFLICT (case_id, org_id) DO UPDATE SET key_version = excluded.key_version, held = excluded.held,
		wrap = excluded.wrap, mac = excluded.mac, section_macs = excluded.section_macs, updated_at = excluded.updated_at`, ws)
}

// insertWraps writes the wraps of cases created in the same transaction,
// which have none yet: a plain insert, without the speculative insertion
// ON CONFLICT costs PostgreSQL.
func (s *store) insertWraps(ctx context.Context, q querier, now time.Time, ws ...wrapRow) error {
	return s.writeWraps(ctx, q, now, "", ws)
}

func (s *store) writeWraps(ctx context.Context, q querier, now time.Time, onConflict string, ws []wrapRow) error {
	if len(ws) == 0 {
		return nil
	}
	args := make([]any, 0, 8*len(ws))
	for _, w := range ws {
		args = append(args, w.CaseID, w.OrgID, w.KeyVersion, encodeHeld(w.Held), w.Wrap, w.MAC, keyring.EncodeMACs(w.SectionMACs), now)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO wraps (`+wrapColumns+`, section_macs, updated_at) VALUES `+valueLists(len(ws), 8)+onConflict, args...); err != nil {
		return fmt.Errorf("intake: write wrap: %w", err)
	}
	return nil
}

func (s *store) deleteWrap(ctx context.Context, q querier, caseID, orgID string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM wraps WHERE case_id = $1 AND org_id = $2`, caseID, orgID); err != nil {
		return fmt.Errorf("intake: delete wrap: %w", err)
	}
	return nil
}

// putMACs replaces orgID's section MACs of the case, in its wrap row.
func (s *store) putMACs(ctx context.Context, q querier, caseID, orgID string, macs map[seal.SectionID][]byte) error {
	res, err := q.ExecContext(ctx, `UPDATE wraps SET section_macs = $3 WHERE case_id = $1 AND org_id = $2`, caseID, orgID, keyring.EncodeMACs(macs))
	if err != nil {
		return fmt.Errorf("intake: replace MACs: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 && len(macs) > 0 {
		return fmt.Errorf("intake: case %s: MACs without a wrap: %w", caseID, ErrIntegrity)
	}
	return nil
}

// putWrapIfActive writes the wrap only if the key version it names is
// still orgID's active one, share-locking that key row until tx ends (as
// activeRecipient does); false means a rotation came first.
func (s *store) putWrapIfActive(ctx context.Context, q querier, w wrapRow, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO wraps (`+wrapColumns+`, updated_at)
		SELECT $1, $2, $3, $4, $5, $6, $7 FROM org_keys WHERE org_id = $2 AND version = $3 AND state = 'active'`+s.forShare()+`
		ON CONFLICT (case_id, org_id) DO UPDATE SET key_version = excluded.key_version, held = excluded.held,
		wrap = excluded.wrap, mac = excluded.mac, updated_at = excluded.updated_at`,
		w.CaseID, w.OrgID, w.KeyVersion, encodeHeld(w.Held), w.Wrap, w.MAC, now)
	if err != nil {
		return false, fmt.Errorf("intake: put wrap: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("intake: put wrap: %w", err)
	}
	return n == 1, nil
}

func (s *store) macs(ctx context.Context, q querier, caseID, orgID string) (map[seal.SectionID][]byte, error) {
	var b []byte
	err := q.QueryRowContext(ctx, `SELECT section_macs FROM wraps WHERE case_id = $1 AND org_id = $2`, caseID, orgID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return map[seal.SectionID][]byte{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("intake: MACs: %w", err)
	}
	return keyring.DecodeMACs(caseID, b)
}

// readableFor returns the sections org may read: those it authored (while
// its authored grant, if any, stands) and those named in its active grants
// (but the authored grant, which names what authorship already opens).
func readableFor(secs []sectionRow, grants []grantRow, org string) map[seal.SectionID]bool {
	named := map[string]bool{}
	for _, g := range grants {
		if g.OrgID == org && g.Status == GrantActive && g.Purpose != purposeAuthored {
			for _, n := range g.Sections {
				named[n] = true
			}
		}
	}
	out, authors := map[seal.SectionID]bool{}, authorReads(grants, org)
	for _, sec := range secs {
		if (authors && sec.Header.AuthorOrg == org) || named[sec.Header.Section] {
			out[sec.Header.ID()] = true
		}
	}
	return out
}

// heldFor returns the sections whose keys org's wrap must hold: what it
// may read plus what its pending grants name (prepared, not yet readable).
func heldFor(secs []sectionRow, grants []grantRow, org string) map[seal.SectionID]bool {
	out := readableFor(secs, grants, org)
	for _, g := range grants {
		if g.OrgID != org || g.Status != GrantPending {
			continue
		}
		for _, sec := range secs {
			if slices.Contains(g.Sections, sec.Header.Section) {
				out[sec.Header.ID()] = true
			}
		}
	}
	return out
}

// openOwnKeys returns the data keys in orgID's wrap, decrypted with that
// organisation's identity after its WrapMAC checked out. Callers use it
// only for the caller's own organisation (or in key administration).
func (s *service) openOwnKeys(ctx context.Context, q querier, caseID, orgID string) (map[seal.SectionID]seal.KeyGrant, error) {
	w, err := s.store.wrap(ctx, q, caseID, orgID)
	if errors.Is(err, ErrNotFound) {
		return map[seal.SectionID]seal.KeyGrant{}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := seal.CheckWrapMAC(s.macKey, caseID, orgID, w.Wrap, w.MAC); err != nil {
		return nil, fmt.Errorf("intake: case %s: %w: %w", caseID, ErrIntegrity, err)
	}
	id, err := s.ring.Identity(ctx, q, orgID, w.KeyVersion)
	if err != nil {
		return nil, err
	}
	grants, err := seal.Unwrap(id, w.Wrap, s.unlock(caseID))
	if err != nil {
		return nil, fmt.Errorf("intake: case %s: unwrap: %w: %w", caseID, ErrIntegrity, err)
	}
	out := make(map[seal.SectionID]seal.KeyGrant, len(grants))
	for _, g := range grants {
		if g.CaseID == caseID {
			out[g.ID()] = g
		}
	}
	return out, nil
}

// writeWrap wraps the keys of held to orgID's active recipient, writes the
// wrap with its WrapMAC and a SectionMAC for each readable section. An
// empty held set deletes the wrap. keys must contain every held section.
func (s *service) writeWrap(ctx context.Context, tx *sql.Tx, caseID, orgID string, secs []sectionRow,
	held, readable map[seal.SectionID]bool, keys map[seal.SectionID]seal.KeyGrant) error {
	if len(held) == 0 {
		return s.store.deleteWrap(ctx, tx, caseID, orgID)
	}
	grants := make([]seal.KeyGrant, 0, len(held))
	ids := make([]seal.SectionID, 0, len(held))
	for id := range held {
		k, ok := keys[id]
		if !ok {
			return fmt.Errorf("intake: case %s: wrap: a held key is missing: %w", caseID, ErrIntegrity)
		}
		grants = append(grants, k)
		ids = append(ids, id)
	}
	version, recipient, err := s.ring.ActiveRecipient(ctx, tx, orgID)
	if err != nil {
		return err
	}
	w, err := s.buildWrap(caseID, nil, orgID, version, recipient, ids, grants)
	if err != nil {
		return err
	}
	if err := s.store.putWrap(ctx, tx, w, s.now()); err != nil {
		return err
	}
	return s.store.putMACs(ctx, tx, caseID, orgID, s.sectionMACs(orgID, w.Wrap, secs, readable))
}

// buildWrap wraps grants to recipient (version of orgID's key) with the
// wrap's MAC: the expensive step, kept out of transactions where it can.
func (s *service) buildWrap(caseID string, ring *keys.CaseRing, orgID string, version int, recipient seal.Recipient, held []seal.SectionID, grants []seal.KeyGrant) (wrapRow, error) {
	wrap, err := s.wrapKeys(caseID, ring, recipient, grants)
	if err != nil {
		return wrapRow{}, fmt.Errorf("intake: case %s: wrap: %w", caseID, err)
	}
	return wrapRow{CaseID: caseID, OrgID: orgID, KeyVersion: version, Held: held, Wrap: wrap,
		MAC: seal.WrapMAC(s.macKey, caseID, orgID, wrap)}, nil
}

// sectionMACs returns a SectionMAC for each readable section over the wrap.
func (s *service) sectionMACs(orgID string, wrap []byte, secs []sectionRow, readable map[seal.SectionID]bool) map[seal.SectionID][]byte {
	macs := map[seal.SectionID][]byte{}
	for _, sec := range secs {
		if readable[sec.Header.ID()] {
			macs[sec.Header.ID()] = seal.SectionMAC(s.macKey, sec.Header, sec.Sealed, wrap, orgID)
		}
	}
	return macs
}

// rebuildWrap brings orgID's wrap in line with the grants, taking the keys
// from source (the caller's own organisation, which must hold them).
func (s *service) rebuildWrap(ctx context.Context, tx *sql.Tx, c caseRow, secs []sectionRow, grants []grantRow, orgID, source string) error {
	held, readable := heldFor(secs, grants, orgID), readableFor(secs, grants, orgID)
	keys, err := s.openOwnKeys(ctx, tx, c.ID, source)
	if err != nil {
		return err
	}
	return s.writeWrap(ctx, tx, c.ID, orgID, secs, held, readable, keys)
}
