package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// KeyStatus reads the key rings of org, or of every organisation when org
// is "", in one snapshot.
func (s *Store) KeyStatus(ctx context.Context, org string) ([]casefile.KeyStatus, error) {
	var out []casefile.KeyStatus
	err := s.ReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT org_id, version, kind, state, created_at FROM org_keys
			WHERE $1 = '' OR org_id = $1 ORDER BY org_id, version`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		at := map[string]int{}
		for rows.Next() {
			var (
				k       casefile.KeyStatus
				state   string
				created time.Time
			)
			if err := rows.Scan(&k.OrgID, &k.Version, &k.Kind, &state, &created); err != nil {
				return err
			}
			i, seen := at[k.OrgID]
			if !seen {
				i = len(out)
				at[k.OrgID] = i
				out = append(out, casefile.KeyStatus{OrgID: k.OrgID, CreatedAt: created.UTC()})
			}
			switch state {
			case "active":
				out[i].Kind, out[i].Version = k.Kind, k.Version
				if seen {
					r := created.UTC()
					out[i].RotatedAt = &r
				}
			case "retired":
				out[i].Retired++
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, table := range []string{"wraps", "entry_keys"} {
			pending, err := tx.QueryContext(ctx, `SELECT w.org_id, COUNT(*) FROM `+table+` w
				JOIN org_keys k ON k.org_id = w.org_id AND k.state = 'active'
				WHERE w.key_version <> k.version AND ($1 = '' OR w.org_id = $1) GROUP BY w.org_id`, org)
			if err != nil {
				return err
			}
			for pending.Next() {
				var (
					id string
					n  int
				)
				if err := pending.Scan(&id, &n); err != nil {
					pending.Close()
					return err
				}
				if i, ok := at[id]; ok {
					out[i].PendingRewrap += n
				}
			}
			pending.Close()
			if err := pending.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intake: key status: %w", err)
	}
	if out == nil {
		out = []casefile.KeyStatus{}
	}
	return out, nil
}
