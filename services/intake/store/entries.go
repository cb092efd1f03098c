package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
