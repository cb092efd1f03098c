package intake

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/store"
)

// entryKeyRow is one organisation's wrap of an entry's data key, with the
// entry fields its MAC covers.
type entryKeyRow struct {
	entryID, orgID, authorOrg, caseID string
	version                           int
	wrap, mac                         []byte
	sealed                            seal.Sealed
}

func (k entryKeyRow) header() seal.Header {
	return seal.Header{CaseID: k.caseID, Section: entrySection(k.entryID), AuthorOrg: k.authorOrg}
}

// entryKeys returns the entry-key rows of the case matching where (a
// condition on k, the entry_keys row, and e, the entry), with args from $2.
func (s *service) entryKeys(ctx context.Context, q store.Querier, caseID, where string, args ...any) ([]entryKeyRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT k.entry_id, k.org_id, e.author_org, k.key_version, k.wrap, k.mac, e.sealed
		FROM entry_keys k JOIN entries e ON e.id = k.entry_id
		WHERE e.case_id = $1 AND e.purged_at IS NULL AND `+where+` ORDER BY k.entry_id, k.org_id`, append([]any{caseID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("intake: entry keys: %w", err)
	}
	defer rows.Close()
	var out []entryKeyRow
	for rows.Next() {
		k := entryKeyRow{caseID: caseID}
		if err := rows.Scan(&k.entryID, &k.orgID, &k.authorOrg, &k.version, &k.wrap, &k.mac, &k.sealed); err != nil {
			return nil, fmt.Errorf("intake: entry keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// openEntryKey checks k's MAC and unwraps its one data key with the
// identity version it names.
func (s *service) openEntryKey(ctx context.Context, q store.Querier, k entryKeyRow) (*seal.OrgIdentity, seal.KeyGrant, error) {
	if err := seal.CheckSectionMAC(s.macKey, k.header(), k.sealed, k.wrap, k.orgID, k.mac); err != nil {
		return nil, seal.KeyGrant{}, fmt.Errorf("intake: case %s: entry key: %w: %w", k.caseID, ErrIntegrity, err)
	}
	id, err := s.ring.Identity(ctx, q, k.orgID, k.version)
	if err != nil {
		return nil, seal.KeyGrant{}, err
	}
	kgs, err := seal.Unwrap(id, k.wrap, s.unlock(k.caseID))
	if err != nil || len(kgs) != 1 {
		return nil, seal.KeyGrant{}, fmt.Errorf("intake: case %s: entry key: %w", k.caseID, ErrIntegrity)
	}
	return id, kgs[0], nil
}

func (s *service) putEntryKey(ctx context.Context, tx *sql.Tx, k entryKeyRow) error {
	if _, err := tx.ExecContext(ctx, `UPDATE entry_keys SET key_version = $3, wrap = $4, mac = $5 WHERE entry_id = $1 AND org_id = $2`,
		k.entryID, k.orgID, k.version, k.wrap, k.mac); err != nil {
		return fmt.Errorf("intake: entry key: %w", err)
	}
	return nil
}

// rewrapEntryKeys re-wraps orgID's entry keys of the case that are not
// addressed to its active identity (keys rotate): the same data key, a new
// age message, a new MAC.
func (s *service) rewrapEntryKeys(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	version, recipient, err := s.ring.ActiveRecipient(ctx, tx, orgID)
	if err != nil {
		return err
	}
	ks, err := s.entryKeys(ctx, tx, caseID, `k.org_id = $2 AND k.key_version <> $3`, orgID, version)
	if err != nil {
		return err
	}
	for _, k := range ks {
		old, _, err := s.openEntryKey(ctx, tx, k)
		if err != nil {
			return err
		}
		if k.wrap, err = seal.Rewrap(old, recipient, k.wrap); err != nil {
			return fmt.Errorf("intake: case %s: rewrap entry key: %w", caseID, err)
		}
		k.version, k.mac = version, seal.SectionMAC(s.macKey, k.header(), k.sealed, k.wrap, orgID)
		if err := s.putEntryKey(ctx, tx, k); err != nil {
			return err
		}
	}
	return nil
}

// rekeyEntries seals again, under a new data key, every live entry of the
// case that orgID authored, or every one when it owns the case, and wraps
// the new key to every organisation that held the old one.
func (s *service) rekeyEntries(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	c, err := s.store.CaseByID(ctx, tx, caseID, true)
	if err != nil {
		return err
	}
	own, err := s.entryKeys(ctx, tx, caseID, `k.org_id = $2 AND (e.author_org = $2 OR $3)`, orgID, c.OwnerOrg == orgID)
	if err != nil {
		return err
	}
	for _, k := range own {
		_, old, err := s.openEntryKey(ctx, tx, k)
		if err != nil {
			return err
		}
		sealed, key, err := seal.Reseal(k.header(), k.sealed, old.Key)
		if err != nil {
			return fmt.Errorf("intake: case %s: reseal entry: %w: %w", caseID, ErrIntegrity, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET sealed = $2 WHERE id = $1`, k.entryID, []byte(sealed)); err != nil {
			return fmt.Errorf("intake: reseal entry: %w", err)
		}
		holders, err := s.entryKeys(ctx, tx, caseID, `k.entry_id = $2`, k.entryID)
		if err != nil {
			return err
		}
		kg := seal.KeyGrant{KeyRef: old.KeyRef, Key: key}
		for _, h := range holders {
			version, recipient, err := s.ring.ActiveRecipient(ctx, tx, h.orgID)
			if err != nil {
				return err
			}
			if h.wrap, err = s.wrapKeys(caseID, nil, recipient, []seal.KeyGrant{kg}); err != nil {
				return fmt.Errorf("intake: case %s: wrap entry key: %w", caseID, err)
			}
			h.version, h.mac = version, seal.SectionMAC(s.macKey, h.header(), sealed, h.wrap, h.orgID)
			if err := s.putEntryKey(ctx, tx, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// rotateEntryKeys re-wraps, case by case, every entry key of orgID still
// addressed to an older identity, until none is left.
func (s *service) rotateEntryKeys(ctx context.Context, orgID string, version int) error {
	for pass := 0; ; pass++ {
		ids, err := s.caseIDs(ctx, `SELECT DISTINCT e.case_id FROM entry_keys k JOIN entries e ON e.id = k.entry_id
			WHERE k.org_id = $1 AND k.key_version <> $2`, orgID, version)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if pass > 10 {
			return fmt.Errorf("intake: rotate %s: entry keys keep appearing under an old key", orgID)
		}
		for _, id := range ids {
			if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.rewrapEntryKeys(ctx, tx, id, orgID) }); err != nil {
				return fmt.Errorf("intake: rotate %s: case %s: entries: %w", orgID, id, err)
			}
		}
	}
}

// dropEntryKeys deletes orgID's wraps of the case's entry keys that its
// active grants no longer cover, unless it owns the case: it keeps what it
// authored, as for sections. RevokeGrant, expiry and transfer call it in
// their transaction, after the grants or the owner changed.
func (s *service) dropEntryKeys(ctx context.Context, tx *sql.Tx, caseID, orgID string) error {
	c, err := s.store.CaseByID(ctx, tx, caseID, false)
	if err != nil {
		return err
	}
	if c.OwnerOrg == orgID {
		return nil
	}
	grants, err := s.store.Grants(ctx, tx, caseID)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.type, e.supersedes, e.author_org, k.org_id IS NOT NULL FROM entries e
		LEFT JOIN entry_keys k ON k.entry_id = e.id AND k.org_id = $2 WHERE e.case_id = $1`, caseID, orgID)
	if err != nil {
		return fmt.Errorf("intake: drop entry keys: %w", err)
	}
	type kind struct{ typ, supersedes, author string }
	kinds, held := map[string]kind{}, []string{}
	for rows.Next() {
		var (
			id  string
			k   kind
			has bool
		)
		if err := rows.Scan(&id, &k.typ, &k.supersedes, &k.author, &has); err != nil {
			rows.Close()
			return fmt.Errorf("intake: drop entry keys: %w", err)
		}
		kinds[id] = k
		if has {
			held = append(held, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("intake: drop entry keys: %w", err)
	}
	typeOf := func(id string) (string, string) { return kinds[id].typ, kinds[id].supersedes }
	n := 0
	for _, id := range held {
		k := kinds[id]
		if (k.author == orgID && authorReads(grants, orgID)) || orgCoversClass(grants, orgID, entryClassOf(k.typ, k.supersedes, typeOf)) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, id, orgID); err != nil {
			return fmt.Errorf("intake: drop entry keys: %w", err)
		}
		n++
	}
	if n > 0 {
		_ = level.Debug(s.log).Log("msg", "entry keys no longer covered dropped", "case", caseID, "n", n)
	}
	return nil
}
