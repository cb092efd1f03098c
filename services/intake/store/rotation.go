package store

import (
	"context"
	"fmt"
)

// CasesRekeyed returns the cases whose keys org's rekeying changes: those
// it owns, and those where it authored a section or an entry or holds a
// wrap.
func (s *Store) CasesRekeyed(ctx context.Context, org string) ([]string, error) {
	return s.caseIDs(ctx, `SELECT id FROM cases WHERE owner_org = $1
			UNION SELECT case_id FROM sections WHERE author_org = $1
			UNION SELECT case_id FROM wraps WHERE org_id = $1
			UNION SELECT case_id FROM entries WHERE author_org = $1`, org)
}

// CasesWrappedBehind returns the cases where org's wrap is addressed to an
// identity version other than version.
func (s *Store) CasesWrappedBehind(ctx context.Context, org string, version int) ([]string, error) {
	return s.caseIDs(ctx, `SELECT case_id FROM wraps WHERE org_id = $1 AND key_version <> $2`, org, version)
}

// CasesEntryKeysBehind returns the cases where one of org's entry keys is
// addressed to an identity version other than version.
func (s *Store) CasesEntryKeysBehind(ctx context.Context, org string, version int) ([]string, error) {
	return s.caseIDs(ctx, `SELECT DISTINCT e.case_id FROM entry_keys k JOIN entries e ON e.id = k.entry_id
			WHERE k.org_id = $1 AND k.key_version <> $2`, org, version)
}

func (s *Store) caseIDs(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: key ring: cases: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, func(sc Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: key ring: cases: %w", err)
	}
	return out, nil
}
