package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/nrm-project/nrm/pkg/seal"
)

// Key states of the organisations' key ring.
const (
	keyActive    = "active"
	keyRetired   = "retired"
	keyDestroyed = "destroyed"
)

// orgKey is one version of an organisation's identity.
type orgKey struct {
	OrgID     string
	Version   int
	Recipient string
	Wrapped   []byte
	State     string
}

// ensureOrgKey gives orgID an identity on first need, in a transaction of
// its own so that two first registrations by one organisation do not
// abort each other: the loser's insert does nothing.
func (s *service) ensureOrgKey(ctx context.Context, orgID string) error {
	if s.store.keys.hasKey(orgID) {
		return nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_keys WHERE org_id = $1 AND state = 'active'`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("intake: key ring: %w", err)
	}
	if n > 0 {
		return nil
	}
	return s.keyRingTx(ctx, func(tx *sql.Tx) error {
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM org_keys WHERE org_id = $1`, orgID).Scan(&last); err != nil {
			return fmt.Errorf("intake: key ring: %w", err)
		}
		k, err := s.newOrgKey(orgID, last+1)
		if err != nil {
			return err
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `INSERT INTO org_keys (org_id, version, kind, recipient, wrapped_identity, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'active', $6, $6) ON CONFLICT DO NOTHING`,
			k.OrgID, k.Version, s.kind.String(), k.Recipient, k.Wrapped, now)
		if err != nil {
			return fmt.Errorf("intake: key ring: insert: %w", err)
		}
		return nil
	})
}

// newOrgKey generates an identity and wraps it under the master subkey.
func (s *service) newOrgKey(orgID string, version int) (orgKey, error) {
	id, err := seal.GenerateIdentity(s.kind)
	if err != nil {
		return orgKey{}, fmt.Errorf("intake: key ring: generate: %w", err)
	}
	wrapped, err := seal.WrapIdentity(s.wrapKey, orgID, id)
	if err != nil {
		return orgKey{}, fmt.Errorf("intake: key ring: wrap identity: %w", err)
	}
	return orgKey{OrgID: orgID, Version: version, Recipient: id.Recipient(), Wrapped: wrapped, State: keyActive}, nil
}

// activeRecipient returns the version and public key new wraps to orgID
// use. On PostgreSQL the row is share-locked until tx ends, so a rotation
// retiring it waits for this writer and never misses its wrap.
func (s *service) activeRecipient(ctx context.Context, tx querier, orgID string) (int, seal.Recipient, error) {
	active, err := s.store.activeKeys(ctx, tx, []string{orgID})
	if err != nil {
		return 0, seal.Recipient{}, err
	}
	k, ok := active[orgID]
	if !ok {
		return 0, seal.Recipient{}, fmt.Errorf("intake: key ring: no active key: %w", ErrUnavailable)
	}
	r, err := s.activeRecipientOf(orgID, k)
	return k.version, r, err
}

// activeRecipientOf parses k, orgID's active key as just read, and keeps
// it as the hint new registrations wrap to.
func (s *service) activeRecipientOf(orgID string, k activeKey) (seal.Recipient, error) {
	r, err := s.parseRecipient(orgID, k.version, k.recipient)
	if err != nil {
		return seal.Recipient{}, err
	}
	s.store.keys.setActive(orgID, k.version, r)
	return r, nil
}

// parseRecipient parses the recipient of (orgID, version) once: a
// version's public key never changes.
func (s *service) parseRecipient(orgID string, version int, recipient string) (seal.Recipient, error) {
	if r, ok := s.store.keys.recipient(orgID, version); ok && r.String() == recipient {
		return r, nil
	}
	r, err := seal.ParseRecipientKind(s.kind, recipient)
	if err != nil {
		return seal.Recipient{}, fmt.Errorf("intake: key ring: recipient: %w", err)
	}
	return r, nil
}

// activeKeyHint returns the version and recipient orgID's key was last seen
// active at, creating the key on first need. It takes no lock: a writer
// wraps to it outside its transaction, then checks inside that the version
// is still active (putWrapIfActive) and wraps again if not.
func (s *service) activeKeyHint(ctx context.Context, orgID string) (int, seal.Recipient, error) {
	if v, r, ok := s.store.keys.activeHint(orgID); ok {
		return v, r, nil
	}
	if err := s.ensureOrgKey(ctx, orgID); err != nil {
		return 0, seal.Recipient{}, err
	}
	var (
		version   int
		recipient string
	)
	err := s.db.QueryRowContext(ctx, `SELECT version, recipient FROM org_keys WHERE org_id = $1 AND state = 'active'`, orgID).
		Scan(&version, &recipient)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, seal.Recipient{}, fmt.Errorf("intake: key ring: no active key: %w", ErrUnavailable)
	}
	if err != nil {
		return 0, seal.Recipient{}, fmt.Errorf("intake: key ring: %w", err)
	}
	r, err := s.parseRecipient(orgID, version, recipient)
	if err != nil {
		return 0, seal.Recipient{}, err
	}
	s.store.keys.setActive(orgID, version, r)
	return version, r, nil
}

// identity returns orgID's identity of the given version, unless it was
// destroyed.
func (s *service) identity(ctx context.Context, q querier, orgID string, version int) (*seal.OrgIdentity, error) {
	var blob []byte
	err := q.QueryRowContext(ctx, `SELECT wrapped_identity FROM org_keys WHERE org_id = $1 AND version = $2 AND state <> 'destroyed'`,
		orgID, version).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) || err == nil && blob == nil {
		return nil, fmt.Errorf("intake: key ring: no usable key: %w", ErrUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("intake: key ring: %w", err)
	}
	return s.liveIdentity(orgID, version, 0, blob)
}

// liveIdentity returns the identity of (orgID, version), which the caller
// has just read, not destroyed, as blob: unwrapped once, then from the
// cache. oldestLive, when known, is orgID's oldest version not destroyed;
// older versions leave the cache.
func (s *service) liveIdentity(orgID string, version, oldestLive int, blob []byte) (*seal.OrgIdentity, error) {
	if id, ok := s.store.keys.identity(orgID, version, oldestLive); ok {
		return id, nil
	}
	id, err := s.unwrapIdentity(orgID, blob)
	if err != nil {
		return nil, err
	}
	s.store.keys.putIdentity(orgID, version, id)
	return id, nil
}

func (s *service) unwrapIdentity(orgID string, blob []byte) (*seal.OrgIdentity, error) {
	id, err := seal.UnwrapIdentity(s.wrapKey, orgID, blob)
	if err != nil {
		return nil, fmt.Errorf("intake: key ring: unwrap identity: %w", err)
	}
	if id.Kind() != s.kind {
		return nil, fmt.Errorf("intake: key ring: %w", seal.ErrKindMismatch)
	}
	return id, nil
}
