package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// snapshotSQL is CaseForRead's row plus the rows of sectionsOf, grants
// and consents as JSON: one statement sees one snapshot, so no transaction.
var snapshotSQL = `SELECT ` + caseReadColumns + `,
	(SELECT json_agg(json_build_array(` + sectionColumns + `) ORDER BY ` + sectionOrder + `)` + sectionFrom + `),
	(SELECT json_agg(json_build_array(` + grantColumns + `) ORDER BY ` + grantOrder + `) FROM grants WHERE case_id = $1),
	(SELECT json_agg(json_build_array(` + consentColumns + `) ORDER BY ` + consentOrder + `) FROM consents WHERE case_id = $1)` +
	caseReadFrom

// SnapshotOne is Snapshot on PostgreSQL.
func (s *Store) SnapshotOne(ctx context.Context, id, org string) (Snapshot, error) {
	if !casefile.ValidID(id) {
		return Snapshot{}, casefile.ErrNotFound
	}
	var (
		snap                   Snapshot
		secs, grants, consents []byte
	)
	stmt, err := s.snapshot.get(ctx, s.db.DB, snapshotSQL)
	if err != nil {
		return Snapshot{}, fmt.Errorf("intake: prepare case read: %w", err)
	}
	err = stmt.QueryRowContext(ctx, id, org).Scan(append(snap.Row.scanTargets(), &secs, &grants, &consents)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, casefile.ErrNotFound
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("intake: case: %w", err)
	}
	snap.Row.CaseRow.finish()
	if snap.Macs, err = keyring.DecodeMACs(id, snap.Row.macs); err != nil {
		return Snapshot{}, err
	}
	if snap.Secs, err = scanSections(newJSONRows(secs), id); err != nil {
		return Snapshot{}, fmt.Errorf("intake: sections: %w", err)
	}
	if snap.Grants, err = scanAll(newJSONRows(grants), scanGrant); err != nil {
		return Snapshot{}, fmt.Errorf("intake: grants: %w", err)
	}
	if snap.Consents, err = scanAll(newJSONRows(consents), scanConsent); err != nil {
		return Snapshot{}, fmt.Errorf("intake: consents: %w", err)
	}
	return snap, nil
}

// preparedStmt is a statement prepared on first use: PostgreSQL parses and
// plans it once per connection instead of once per execution.
type preparedStmt struct {
	mu   sync.Mutex
	stmt atomic.Pointer[sql.Stmt]
}

func (p *preparedStmt) get(ctx context.Context, d *sql.DB, query string) (*sql.Stmt, error) {
	if st := p.stmt.Load(); st != nil {
		return st, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.stmt.Load(); st != nil {
		return st, nil
	}
	st, err := d.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmt.Store(st)
	return st, nil
}
