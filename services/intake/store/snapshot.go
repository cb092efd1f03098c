package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// ReadRow is the case with org's wrap, when it has one, and the identity
// version that wrap names unless destroyed.
type ReadRow struct {
	CaseRow
	KeyVersion sql.NullInt64
	OldestLive sql.NullInt64
	Wrap       []byte
	macs       []byte // the wrap's section MACs, stored (keyring/macset.go)
	Identity   []byte
}

// caseReadColumns and caseReadFrom make CaseForRead's statement: the case
// ($1) with org's ($2) wrap and its section MACs, the identity version that
// wrap names unless destroyed, and org's oldest live identity version.
var caseReadColumns = qualified("c", caseColumns) + `, w.key_version, w.wrap, w.section_macs, k.wrapped_identity,
	(SELECT MIN(version) FROM org_keys WHERE org_id = $2 AND state <> 'destroyed')`

const caseReadFrom = ` FROM cases c LEFT JOIN wraps w ON w.case_id = c.id AND w.org_id = $2
	LEFT JOIN org_keys k ON k.org_id = w.org_id AND k.version = w.key_version AND k.state <> 'destroyed'
	WHERE c.id = $1`

// scanTargets returns the destinations of caseReadColumns; the caseRow is
// finished after the scan.
func (r *ReadRow) scanTargets() []any {
	return append(caseScanTargets(&r.CaseRow), &r.KeyVersion, &r.Wrap, &r.macs, &r.Identity, &r.OldestLive)
}

// CaseForRead reads the case and org's wrap and identity in one statement.
func (s *Store) CaseForRead(ctx context.Context, q Querier, id, org string) (ReadRow, error) {
	if !casefile.ValidID(id) {
		return ReadRow{}, casefile.ErrNotFound
	}
	var r ReadRow
	err := q.QueryRowContext(ctx, `SELECT `+caseReadColumns+caseReadFrom, id, org).Scan(r.scanTargets()...)
	if errors.Is(err, sql.ErrNoRows) {
		return ReadRow{}, casefile.ErrNotFound
	}
	if err != nil {
		return ReadRow{}, fmt.Errorf("intake: case: %w", err)
	}
	r.CaseRow.finish()
	return r, nil
}

// sectionColumns, sectionFrom and sectionOrder make the statement of
// Store.Sections: the sections of the case ($1).
const (
	sectionColumns = `s.section, s.version, s.author_org, s.sealed`
	sectionFrom    = ` FROM sections s WHERE s.case_id = $1`
	sectionOrder   = `s.section`
)

// scanSections reads rows of sectionColumns.
func scanSections(rs rowIter, caseID string) ([]SectionRow, error) {
	var out []SectionRow
	for rs.Next() {
		r := SectionRow{Header: seal.Header{CaseID: caseID}}
		if err := rs.Scan(&r.Header.Section, &r.Header.Version, &r.Header.AuthorOrg, &r.Sealed); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// Snapshot is everything a read of a case needs, from one snapshot.
type Snapshot struct {
	Row      ReadRow
	Secs     []SectionRow
	Macs     map[seal.SectionID][]byte
	Grants   []GrantRow
	Consents []casefile.Consent
}

// Snapshot reads the case as org reads it, or ErrNotFound: one statement
// on PostgreSQL (one round trip instead of six), a read transaction on SQLite.
func (s *Store) Snapshot(ctx context.Context, id, org string) (Snapshot, error) {
	if s.db.Engine == db.Postgres {
		return s.SnapshotOne(ctx, id, org)
	}
	return s.SnapshotTx(ctx, id, org)
}

// SnapshotTx is Snapshot in a read transaction, on either engine.
func (s *Store) SnapshotTx(ctx context.Context, id, org string) (Snapshot, error) {
	var snap Snapshot
	err := s.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		snap, err = s.SnapshotIn(ctx, tx, id, org)
		return err
	})
	return snap, err
}

// SnapshotIn is Snapshot in q's snapshot.
func (s *Store) SnapshotIn(ctx context.Context, q Querier, id, org string) (Snapshot, error) {
	var (
		snap Snapshot
		err  error
	)
	if snap.Row, err = s.CaseForRead(ctx, q, id, org); err != nil {
		return snap, err
	}
	if snap.Macs, err = keyring.DecodeMACs(id, snap.Row.macs); err != nil {
		return snap, err
	}
	if snap.Secs, err = s.Sections(ctx, q, id); err != nil {
		return snap, err
	}
	if snap.Grants, err = s.Grants(ctx, q, id); err != nil {
		return snap, err
	}
	snap.Consents, err = s.Consents(ctx, q, id)
	return snap, err
}
