package store

import (
	"context"
	"fmt"

	"github.com/nrm-project/nrm/pkg/seal"
)

// EntryKey is one organisation's wrap of an entry's data key, with the
// entry fields its MAC covers.
type EntryKey struct {
	EntryID, OrgID, AuthorOrg, CaseID string
	Version                           int
	Wrap, Mac                         []byte
	Sealed                            seal.Sealed
}

const entryKeyColumns = `k.entry_id, k.org_id, e.author_org, k.key_version, k.wrap, k.mac, e.sealed`

func scanEntryKey(sc Scanner) (EntryKey, error) {
	var k EntryKey
	err := sc.Scan(&k.EntryID, &k.OrgID, &k.AuthorOrg, &k.Version, &k.Wrap, &k.Mac, &k.Sealed)
	return k, err
}

// EntryKeysBehind returns org's keys to the case's live entries that are
// not wrapped to its identity version (a rotation's work).
func (s *Store) EntryKeysBehind(ctx context.Context, q Querier, caseID, org string, version int) ([]EntryKey, error) {
	return s.entryKeys(ctx, q, caseID, `k.org_id = $2 AND k.key_version <> $3`, org, version)
}

// EntryKeysOwned returns org's keys to the case's live entries it
// authored, or to every one when all (it owns the case).
func (s *Store) EntryKeysOwned(ctx context.Context, q Querier, caseID, org string, all bool) ([]EntryKey, error) {
	return s.entryKeys(ctx, q, caseID, `k.org_id = $2 AND (e.author_org = $2 OR $3)`, org, all)
}

// EntryKeyHolders returns every organisation's key to the case's entry.
func (s *Store) EntryKeyHolders(ctx context.Context, q Querier, caseID, entryID string) ([]EntryKey, error) {
	return s.entryKeys(ctx, q, caseID, `k.entry_id = $2`, entryID)
}

// EntryKeysNotHeldBy returns org's keys to the case's live entries that
// other holds no key to (a transfer's hand-over from org to other).
func (s *Store) EntryKeysNotHeldBy(ctx context.Context, q Querier, caseID, org, other string) ([]EntryKey, error) {
	return s.entryKeys(ctx, q, caseID, `k.org_id = $2 AND NOT EXISTS
		(SELECT 1 FROM entry_keys x WHERE x.entry_id = k.entry_id AND x.org_id = $3)`, org, other)
}

// entryKeys returns the entry-key rows of the case matching where (a
// condition on k, the entry_keys row, and e, the entry), with args from $2.
func (s *Store) entryKeys(ctx context.Context, q Querier, caseID, where string, args ...any) ([]EntryKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+entryKeyColumns+`
		FROM entry_keys k JOIN entries e ON e.id = k.entry_id
		WHERE e.case_id = $1 AND e.purged_at IS NULL AND `+where+` ORDER BY k.entry_id, k.org_id`, append([]any{caseID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("intake: entry keys: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, scanEntryKey)
	if err != nil {
		return nil, fmt.Errorf("intake: entry keys: %w", err)
	}
	for i := range out {
		out[i].CaseID = caseID
	}
	return out, nil
}

// UpdateEntryKey replaces the organisation's wrap of the entry's key.
func (s *Store) UpdateEntryKey(ctx context.Context, q Querier, k EntryKey) error {
	if _, err := q.ExecContext(ctx, `UPDATE entry_keys SET key_version = $3, wrap = $4, mac = $5 WHERE entry_id = $1 AND org_id = $2`,
		k.EntryID, k.OrgID, k.Version, k.Wrap, k.Mac); err != nil {
		return fmt.Errorf("intake: entry key: %w", err)
	}
	return nil
}

// ResealEntry replaces the entry's sealed content (sealed again under a
// new data key).
func (s *Store) ResealEntry(ctx context.Context, q Querier, id string, sealed []byte) error {
	if _, err := q.ExecContext(ctx, `UPDATE entries SET sealed = $2 WHERE id = $1`, id, sealed); err != nil {
		return fmt.Errorf("intake: reseal entry: %w", err)
	}
	return nil
}

// EntryHold is one entry of a case and whether an organisation holds a
// key to it.
type EntryHold struct {
	ID, Type, Supersedes, AuthorOrg string
	Held                            bool
}

func scanEntryHold(sc Scanner) (EntryHold, error) {
	var h EntryHold
	err := sc.Scan(&h.ID, &h.Type, &h.Supersedes, &h.AuthorOrg, &h.Held)
	return h, err
}

// EntryHolds returns every entry of the case with whether org holds its key.
func (s *Store) EntryHolds(ctx context.Context, q Querier, caseID, org string) ([]EntryHold, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.type, e.supersedes, e.author_org, k.org_id IS NOT NULL FROM entries e
		LEFT JOIN entry_keys k ON k.entry_id = e.id AND k.org_id = $2 WHERE e.case_id = $1`, caseID, org)
	if err != nil {
		return nil, fmt.Errorf("intake: drop entry keys: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, scanEntryHold)
	if err != nil {
		return nil, fmt.Errorf("intake: drop entry keys: %w", err)
	}
	return out, nil
}

// DeleteEntryKey removes org's wrap of the entry's key.
func (s *Store) DeleteEntryKey(ctx context.Context, q Querier, entryID, org string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, entryID, org); err != nil {
		return fmt.Errorf("intake: drop entry keys: %w", err)
	}
	return nil
}
