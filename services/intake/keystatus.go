package intake

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// KeyStatus is the state of an organisation's key ring as its
// administrators follow rotations: counts and dates, never a key and
// nothing about a person.
type KeyStatus struct {
	OrgID   string `json:"org_id"`
	Kind    string `json:"kind"`    // the identity kind (x25519 or the post-quantum hybrid)
	Version int    `json:"version"` // the active version
	// CreatedAt is when the organisation's first identity was made;
	// RotatedAt when the active one was, once rotated at least once.
	CreatedAt time.Time  `json:"created_at"`
	RotatedAt *time.Time `json:"rotated_at,omitempty"`
	// Retired counts older identities kept until nothing needs them.
	Retired int `json:"retired"`
	// PendingRewrap counts wraps and entry keys still under an older
	// identity: a rotation not finished (nrm keys rotate resumes it).
	PendingRewrap int `json:"pending_rewrap"`
}

// KeyStatus answers the key ring of the caller's organisation to its
// administrator, and of every organisation to a system administrator.
func (s *service) KeyStatus(ctx context.Context) ([]KeyStatus, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	org := p.OrgID
	switch {
	case p.HasRole(auth.RoleSystemAdmin):
		org = ""
	case !p.HasRole(auth.RoleOrgAdmin):
		return nil, kit.ErrForbidden
	}
	out, err := s.store.keyStatus(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.keys.read", "org", org, event.Allowed)); err != nil {
		return nil, err
	}
	return out, nil
}

// keyStatus reads the key rings of org, or of every organisation when org
// is "", in one snapshot.
func (s *store) keyStatus(ctx context.Context, org string) ([]KeyStatus, error) {
	var out []KeyStatus
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT org_id, version, kind, state, created_at FROM org_keys
			WHERE $1 = '' OR org_id = $1 ORDER BY org_id, version`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		at := map[string]int{}
		for rows.Next() {
			var (
				k       KeyStatus
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
				out = append(out, KeyStatus{OrgID: k.OrgID, CreatedAt: created.UTC()})
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
		out = []KeyStatus{}
	}
	return out, nil
}
