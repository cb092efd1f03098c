package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// SectionRow is a stored section: its header and sealed bytes.
type SectionRow struct {
	Header seal.Header
	Sealed seal.Sealed
}

// WrapRow is one organisation's wrap of a case. SectionMACs, when set, are
// written with it (keyring/macset.go); a wrap written without them has none until
// putMACs.
type WrapRow struct {
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

// Sections returns the current sections of a case (the table holds one
// version of each registration section; a draft update replaces it).
func (s *Store) Sections(ctx context.Context, q Querier, caseID string) ([]SectionRow, error) {
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

// InsertSections writes the sections in one statement.
func (s *Store) InsertSections(ctx context.Context, q Querier, rows []SectionRow, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(rows))
	for _, r := range rows {
		args = append(args, r.Header.CaseID, r.Header.Section, r.Header.Version, r.Header.AuthorOrg, []byte(r.Sealed), now)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO sections (case_id, section, version, author_org, sealed, created_at) VALUES `+
		ValueLists(len(rows), 6), args...)
	if err != nil {
		return fmt.Errorf("intake: insert sections: %w", err)
	}
	return nil
}

// ValueLists returns n parenthesised lists of cols numbered placeholders,
// for a multi-row INSERT.
func ValueLists(n, cols int) string {
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

// ReplaceSealed rewrites a section's sealed content (a rekey).
func (s *Store) ReplaceSealed(ctx context.Context, q Querier, r SectionRow) error {
	_, err := q.ExecContext(ctx, `UPDATE sections SET sealed = $4 WHERE case_id = $1 AND section = $2 AND version = $3`,
		r.Header.CaseID, r.Header.Section, r.Header.Version, []byte(r.Sealed))
	if err != nil {
		return fmt.Errorf("intake: reseal section: %w", err)
	}
	return nil
}

// DeleteSections deletes every section of the case.
func (s *Store) DeleteSections(ctx context.Context, q Querier, caseID string) error {
	if _, err := q.ExecContext(ctx, `UPDATE wraps SET section_macs = $2 WHERE case_id = $1`, caseID, []byte{}); err != nil {
		return fmt.Errorf("intake: delete section MACs: %w", err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM sections WHERE case_id = $1`, caseID); err != nil {
		return fmt.Errorf("intake: delete sections: %w", err)
	}
	return nil
}

const wrapColumns = `case_id, org_id, key_version, held, wrap, mac`

func scanWrap(sc Scanner) (WrapRow, error) {
	var (
		w    WrapRow
		held string
	)
	if err := sc.Scan(&w.CaseID, &w.OrgID, &w.KeyVersion, &held, &w.Wrap, &w.MAC); err != nil {
		return WrapRow{}, err
	}
	w.Held = decodeHeld(w.CaseID, held)
	return w, nil
}

// Wrap returns orgID's wrap of the case, or ErrNotFound.
func (s *Store) Wrap(ctx context.Context, q Querier, caseID, orgID string) (WrapRow, error) {
	w, err := scanWrap(q.QueryRowContext(ctx, `SELECT `+wrapColumns+` FROM wraps WHERE case_id = $1 AND org_id = $2`, caseID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return WrapRow{}, casefile.ErrNotFound
	}
	if err != nil {
		return WrapRow{}, fmt.Errorf("intake: wrap: %w", err)
	}
	return w, nil
}

// WrapsOfCase returns every organisation's wrap of the case.
func (s *Store) WrapsOfCase(ctx context.Context, q Querier, caseID string) ([]WrapRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+wrapColumns+` FROM wraps WHERE case_id = $1 ORDER BY org_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("intake: wraps: %w", err)
	}
	defer rows.Close()
	var out []WrapRow
	for rows.Next() {
		w, err := scanWrap(rows)
		if err != nil {
			return nil, fmt.Errorf("intake: wraps: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// PutWrap writes the wrap, replacing the organisation's previous one.
func (s *Store) PutWrap(ctx context.Context, q Querier, w WrapRow, now time.Time) error {
	return s.putWraps(ctx, q, now, w)
}

// putWraps writes wraps in one statement, each replacing its
// organisation's wrap of its case.
func (s *Store) putWraps(ctx context.Context, q Querier, now time.Time, ws ...WrapRow) error {
	return s.writeWraps(ctx, q, now, `
		ON CONFLICT (case_id, org_id) DO UPDATE SET key_version = excluded.key_version, held = excluded.held,
		wrap = excluded.wrap, mac = excluded.mac, section_macs = excluded.section_macs, updated_at = excluded.updated_at`, ws)
}

// InsertWraps writes the wraps of cases created in the same transaction,
// which have none yet: a plain insert, without the speculative insertion
// ON CONFLICT costs PostgreSQL.
func (s *Store) InsertWraps(ctx context.Context, q Querier, now time.Time, ws ...WrapRow) error {
	return s.writeWraps(ctx, q, now, "", ws)
}

func (s *Store) writeWraps(ctx context.Context, q Querier, now time.Time, onConflict string, ws []WrapRow) error {
	if len(ws) == 0 {
		return nil
	}
	args := make([]any, 0, 8*len(ws))
	for _, w := range ws {
		args = append(args, w.CaseID, w.OrgID, w.KeyVersion, encodeHeld(w.Held), w.Wrap, w.MAC, keyring.EncodeMACs(w.SectionMACs), now)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO wraps (`+wrapColumns+`, section_macs, updated_at) VALUES `+ValueLists(len(ws), 8)+onConflict, args...); err != nil {
		return fmt.Errorf("intake: write wrap: %w", err)
	}
	return nil
}

// DeleteWrap deletes the organisation's wrap of the case.
func (s *Store) DeleteWrap(ctx context.Context, q Querier, caseID, orgID string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM wraps WHERE case_id = $1 AND org_id = $2`, caseID, orgID); err != nil {
		return fmt.Errorf("intake: delete wrap: %w", err)
	}
	return nil
}

// PutMACs replaces orgID's section MACs of the case, in its wrap row.
func (s *Store) PutMACs(ctx context.Context, q Querier, caseID, orgID string, macs map[seal.SectionID][]byte) error {
	res, err := q.ExecContext(ctx, `UPDATE wraps SET section_macs = $3 WHERE case_id = $1 AND org_id = $2`, caseID, orgID, keyring.EncodeMACs(macs))
	if err != nil {
		return fmt.Errorf("intake: replace MACs: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 && len(macs) > 0 {
		return fmt.Errorf("intake: case %s: MACs without a wrap: %w", caseID, keyring.ErrIntegrity)
	}
	return nil
}

// PutWrapIfActive writes the wrap only if the key version it names is
// still orgID's active one, share-locking that key row until tx ends (as
// activeRecipient does); false means a rotation came first.
func (s *Store) PutWrapIfActive(ctx context.Context, q Querier, w WrapRow, now time.Time) (bool, error) {
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

// Macs returns the section MACs of the organisation's wrap of the case.
func (s *Store) Macs(ctx context.Context, q Querier, caseID, orgID string) (map[seal.SectionID][]byte, error) {
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
