package keyring

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/kit"
)

// NewActiveVersion retires orgID's active identity and makes a new one
// active, in tx (one of Tx's, so the retired row's old bytes are zeroed on
// SQLite). An organisation without a key is kit.ErrNotFound.
func (ring *Ring) NewActiveVersion(ctx context.Context, tx *sql.Tx, orgID string) (int, error) {
	var last int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM org_keys WHERE org_id = $1`, orgID).Scan(&last); err != nil {
		return 0, fmt.Errorf("intake: key ring: %w", err)
	}
	if last == 0 {
		return 0, fmt.Errorf("intake: key ring: organisation has no key: %w", kit.ErrNotFound)
	}
	k, err := ring.NewOrgKey(orgID, last+1)
	if err != nil {
		return 0, err
	}
	now := ring.now()
	if _, err := tx.ExecContext(ctx, `UPDATE org_keys SET state = 'retired', updated_at = $2 WHERE org_id = $1 AND state = 'active'`, orgID, now); err != nil {
		return 0, fmt.Errorf("intake: key ring: retire: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO org_keys (org_id, version, kind, recipient, wrapped_identity, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'active', $6, $6)`, orgID, k.Version, ring.kind.String(), k.Recipient, k.Wrapped, now); err != nil {
		return 0, fmt.Errorf("intake: key ring: insert: %w", err)
	}
	return k.Version, nil
}

// DestroyRetired destroys orgID's retired identities that no wrap and no
// entry key uses any more: the wrapped blob is overwritten, then removed,
// with SQLite's secure delete on, and the WAL checkpointed and truncated,
// so the old bytes leave the files. It reports a checkpoint blocked by
// readers, which leaves old WAL frames until the next one. On PostgreSQL
// the dead row versions go at the next VACUUM, which only the database
// owner may run.
func (ring *Ring) DestroyRetired(ctx context.Context, orgID string) (blocked bool, err error) {
	err = ring.Tx(ctx, func(tx *sql.Tx) error {
		now := ring.now()
		unused := `org_id = $1 AND state = 'retired' AND NOT EXISTS
			(SELECT 1 FROM wraps w WHERE w.org_id = org_keys.org_id AND w.key_version = org_keys.version)
			AND NOT EXISTS (SELECT 1 FROM entry_keys k WHERE k.org_id = org_keys.org_id AND k.key_version = org_keys.version)`
		if _, err := tx.ExecContext(ctx, `UPDATE org_keys SET wrapped_identity = $2, updated_at = $3 WHERE `+unused,
			orgID, make([]byte, 64), now); err != nil {
			return fmt.Errorf("intake: key ring: destroy: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE org_keys SET wrapped_identity = NULL, state = 'destroyed', updated_at = $2 WHERE `+unused,
			orgID, now); err != nil {
			return fmt.Errorf("intake: key ring: destroy: %w", err)
		}
		return nil
	})
	if err != nil || ring.db.Engine != db.SQLite {
		return false, err
	}
	var busy, frames, done int
	if err := ring.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
		return false, fmt.Errorf("intake: key ring: checkpoint: %w", err)
	}
	return busy != 0, nil
}
