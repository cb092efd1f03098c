package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// objectCases finds the cases an audited object belongs to: its case and,
// for a possible duplicate, the case it matches (” when none).
var objectCases = map[string]string{
	"grant":       `SELECT case_id, '' FROM grants WHERE id = $1`,
	"duplicate":   `SELECT case_id, matches_id FROM duplicates WHERE id = $1`,
	"break_glass": `SELECT case_id, '' FROM break_glass WHERE id = $1`,
}

// ObjectCases returns the cases the object of type typ and id belongs to:
// none for a type of object that belongs to no case, or an object gone.
func (s *Store) ObjectCases(ctx context.Context, q Querier, typ, id string) ([]string, error) {
	query, ok := objectCases[typ]
	if !ok || id == "" {
		return nil, nil
	}
	var a, b string
	err := q.QueryRowContext(ctx, query, id).Scan(&a, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("intake: case of %s %s: %w", typ, id, err)
	}
	if b == "" {
		return []string{a}, nil
	}
	return []string{a, b}, nil
}
