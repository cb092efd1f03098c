package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// StoredEntry is an entries row with the caller's key, if any.
type StoredEntry struct {
	casefile.Entry
	class      string
	Sealed     seal.Sealed
	Wrap, Mac  []byte
	KeyVersion int
	HasKey     bool
}

// Entries returns the case record's entries with org's key to each, if any.
func (s *Store) Entries(ctx context.Context, q Querier, caseID, org string) ([]StoredEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.type, e.supersedes, e.author_user, e.author_org, e.retention_class,
		e.sealed, e.created_at, k.key_version, k.wrap, k.mac FROM entries e
		LEFT JOIN entry_keys k ON k.entry_id = e.id AND k.org_id = $2
		WHERE e.case_id = $1 ORDER BY e.created_at, e.id`, caseID, org)
	if err != nil {
		return nil, fmt.Errorf("intake: entries: %w", err)
	}
	defer rows.Close()
	var out []StoredEntry
	for rows.Next() {
		e := StoredEntry{Entry: casefile.Entry{CaseID: caseID}}
		var version sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Type, &e.Supersedes, &e.AuthorUser, &e.AuthorOrg, &e.class, &e.Sealed, &e.CreatedAt,
			&version, &e.Wrap, &e.Mac); err != nil {
			return nil, fmt.Errorf("intake: entries: %w", err)
		}
		e.CreatedAt, e.KeyVersion, e.HasKey = e.CreatedAt.UTC(), int(version.Int64), version.Valid
		out = append(out, e)
	}
	return out, rows.Err()
}

// entryType returns the type of an entry, or "" when there is none.
// entryLink returns the type of the case's entry id and the entry it
// supersedes; "" for an entry the case does not have.
func (s *Store) EntryLink(ctx context.Context, q Querier, caseID, id string) (string, string, error) {
	var typ, supersedes string
	err := q.QueryRowContext(ctx, `SELECT type, supersedes FROM entries WHERE id = $1 AND case_id = $2`, id, caseID).Scan(&typ, &supersedes)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("intake: entry type: %w", err)
	}
	return typ, supersedes, nil
}

// EntryExists reports whether the case has the entry.
func (s *Store) EntryExists(ctx context.Context, q Querier, caseID, id string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries WHERE id = $1 AND case_id = $2`, id, caseID).Scan(&n); err != nil {
		return false, fmt.Errorf("intake: entries: %w", err)
	}
	return n > 0, nil
}

// NewEntry is an entry as written: its sealed content and who wrote it.
type NewEntry struct {
	ID, CaseID, Type, Supersedes string
	AuthorUser, AuthorOrg        string
	RetentionClass               string
	Sealed                       []byte
	CreatedAt                    time.Time
}

// InsertEntry appends the entry to the case record.
func (s *Store) InsertEntry(ctx context.Context, q Querier, e NewEntry) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO entries (id, case_id, type, supersedes, author_user, author_org,
		retention_class, sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ID, e.CaseID, e.Type, e.Supersedes, e.AuthorUser, e.AuthorOrg, e.RetentionClass, e.Sealed, e.CreatedAt); err != nil {
		return fmt.Errorf("intake: insert entry: %w", err)
	}
	return nil
}

// InsertEntryKey stores org's wrap of the entry's key, unless it holds one.
func (s *Store) InsertEntryKey(ctx context.Context, q Querier, entryID, org string, version int, wrap, mac []byte) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO entry_keys (entry_id, org_id, key_version, wrap, mac) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (entry_id, org_id) DO NOTHING`, entryID, org, version, wrap, mac); err != nil {
		return fmt.Errorf("intake: insert entry key: %w", err)
	}
	return nil
}

// AuthoredEntry returns the attributes of an entry user wrote in the case
// (no content), or ErrNotFound.
func (s *Store) AuthoredEntry(ctx context.Context, caseID, id, user string) (casefile.Entry, error) {
	e := casefile.Entry{ID: id, CaseID: caseID}
	err := s.db.QueryRowContext(ctx, `SELECT type, supersedes, author_user, author_org, created_at FROM entries
		WHERE id = $1 AND case_id = $2 AND author_user = $3`, id, caseID, user).
		Scan(&e.Type, &e.Supersedes, &e.AuthorUser, &e.AuthorOrg, &e.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return casefile.Entry{}, casefile.ErrNotFound
	}
	if err != nil {
		return casefile.Entry{}, fmt.Errorf("intake: entry: %w", err)
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return e, nil
}

// LatestEntry returns the newest entry of type typ in the case made since
// the latest decision moving it to state and not superseded since, or
// ErrNotFound.
func (s *Store) LatestEntry(ctx context.Context, q Querier, caseID, typ, state string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT e.id FROM entries e
		WHERE e.case_id = $1 AND e.type = $2
		AND e.created_at >= (SELECT MAX(d.decided_at) FROM decisions d WHERE d.case_id = $1 AND d.to_state = $3)
		AND NOT EXISTS (SELECT 1 FROM entries c WHERE c.case_id = $1 AND c.supersedes = e.id)
		ORDER BY e.created_at DESC, e.id DESC LIMIT 1`, caseID, typ, state).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", casefile.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("intake: case %s: latest %s entry: %w", caseID, typ, err)
	}
	return id, nil
}

// Authored returns the sections org authored in the case and the number
// of its entries there.
func (s *Store) Authored(ctx context.Context, q Querier, caseID, org string) ([]string, int, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT section FROM sections WHERE case_id = $1 AND author_org = $2`, caseID, org)
	if err != nil {
		return nil, 0, fmt.Errorf("intake: case %s: authored sections: %w", caseID, err)
	}
	defer rows.Close()
	names, err := scanAll(rows, func(sc Scanner) (string, error) {
		var n string
		return n, sc.Scan(&n)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("intake: case %s: authored sections: %w", caseID, err)
	}
	var entries int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries WHERE case_id = $1 AND author_org = $2`, caseID, org).Scan(&entries); err != nil {
		return nil, 0, fmt.Errorf("intake: case %s: authored entries: %w", caseID, err)
	}
	return names, entries, nil
}
