package keyring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
)

// Key states of the organisations' key ring.
const (
	KeyActive    = "active"
	KeyRetired   = "retired"
	KeyDestroyed = "destroyed"
)

// CodeIntegrity is the error code of a stored record that failed its
// integrity check.
const CodeIntegrity = "integrity_failed"

// ErrIntegrity means a stored section, wrap or MAC set was not written by
// this deployment (moved, truncated or forged): nothing was decrypted.
var ErrIntegrity = kit.NewError(http.StatusInternalServerError, CodeIntegrity, "the record failed its integrity check")

// Querier is satisfied by *sql.DB, *sql.Conn and *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Ring is the organisations' key ring: one identity per organisation and
// version, stored wrapped under the master key's wrap subkey, and what of
// it never changes cached in memory.
type Ring struct {
	db      *db.DB
	kind    seal.Kind
	wrapKey []byte // keys.PurposeWrap
	now     func() time.Time
	cache   cache
}

// New returns the key ring over d, making identities of kind, wrapped
// under wrapKey.
func New(d *db.DB, kind seal.Kind, wrapKey []byte, now func() time.Time) *Ring {
	return &Ring{db: d, kind: kind, wrapKey: wrapKey, now: now}
}

// Kind is the deployment's identity kind.
func (ring *Ring) Kind() seal.Kind { return ring.kind }

// OrgKey is one version of an organisation's identity.
type OrgKey struct {
	OrgID     string
	Version   int
	Recipient string
	Wrapped   []byte
	State     string
}

// EnsureOrgKey gives orgID an identity on first need, in a transaction of
// its own so that two first registrations by one organisation do not
// abort each other: the loser's insert does nothing.
func (ring *Ring) EnsureOrgKey(ctx context.Context, orgID string) error {
	if ring.cache.hasKey(orgID) {
		return nil
	}
	var n int
	if err := ring.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_keys WHERE org_id = $1 AND state = 'active'`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("intake: key ring: %w", err)
	}
	if n > 0 {
		return nil
	}
	return ring.Tx(ctx, func(tx *sql.Tx) error {
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM org_keys WHERE org_id = $1`, orgID).Scan(&last); err != nil {
			return fmt.Errorf("intake: key ring: %w", err)
		}
		k, err := ring.NewOrgKey(orgID, last+1)
		if err != nil {
			return err
		}
		now := ring.now()
		_, err = tx.ExecContext(ctx, `INSERT INTO org_keys (org_id, version, kind, recipient, wrapped_identity, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'active', $6, $6) ON CONFLICT DO NOTHING`,
			k.OrgID, k.Version, ring.kind.String(), k.Recipient, k.Wrapped, now)
		if err != nil {
			return fmt.Errorf("intake: key ring: insert: %w", err)
		}
		return nil
	})
}

// NewOrgKey generates an identity and wraps it under the master subkey.
func (ring *Ring) NewOrgKey(orgID string, version int) (OrgKey, error) {
	id, err := seal.GenerateIdentity(ring.kind)
	if err != nil {
		return OrgKey{}, fmt.Errorf("intake: key ring: generate: %w", err)
	}
	wrapped, err := seal.WrapIdentity(ring.wrapKey, orgID, id)
	if err != nil {
		return OrgKey{}, fmt.Errorf("intake: key ring: wrap identity: %w", err)
	}
	return OrgKey{OrgID: orgID, Version: version, Recipient: id.Recipient(), Wrapped: wrapped, State: KeyActive}, nil
}

// ActiveRecipient returns the version and public key new wraps to orgID
// use. On PostgreSQL the row is share-locked until tx ends, so a rotation
// retiring it waits for this writer and never misses its wrap.
func (ring *Ring) ActiveRecipient(ctx context.Context, tx Querier, orgID string) (int, seal.Recipient, error) {
	active, err := ring.ActiveKeys(ctx, tx, []string{orgID})
	if err != nil {
		return 0, seal.Recipient{}, err
	}
	k, ok := active[orgID]
	if !ok {
		return 0, seal.Recipient{}, fmt.Errorf("intake: key ring: no active key: %w", kit.ErrUnavailable)
	}
	r, err := ring.ActiveRecipientOf(orgID, k)
	return k.Version, r, err
}

// ActiveRecipientOf parses k, orgID's active key as just read, and keeps
// it as the hint new registrations wrap to.
func (ring *Ring) ActiveRecipientOf(orgID string, k ActiveKey) (seal.Recipient, error) {
	r, err := ring.ParseRecipient(orgID, k.Version, k.Recipient)
	if err != nil {
		return seal.Recipient{}, err
	}
	ring.cache.setActive(orgID, k.Version, r)
	return r, nil
}

// ParseRecipient parses the recipient of (orgID, version) once: a
// version's public key never changes.
func (ring *Ring) ParseRecipient(orgID string, version int, recipient string) (seal.Recipient, error) {
	if r, ok := ring.cache.recipient(orgID, version); ok && r.String() == recipient {
		return r, nil
	}
	r, err := seal.ParseRecipientKind(ring.kind, recipient)
	if err != nil {
		return seal.Recipient{}, fmt.Errorf("intake: key ring: recipient: %w", err)
	}
	return r, nil
}

// ActiveKeyHint returns the version and recipient orgID's key was last seen
// active at, creating the key on first need. It takes no lock: a writer
// wraps to it outside its transaction, then checks inside that the version
// is still active (putWrapIfActive) and wraps again if not.
func (ring *Ring) ActiveKeyHint(ctx context.Context, orgID string) (int, seal.Recipient, error) {
	if v, r, ok := ring.cache.activeHint(orgID); ok {
		return v, r, nil
	}
	if err := ring.EnsureOrgKey(ctx, orgID); err != nil {
		return 0, seal.Recipient{}, err
	}
	var (
		version   int
		recipient string
	)
	err := ring.db.QueryRowContext(ctx, `SELECT version, recipient FROM org_keys WHERE org_id = $1 AND state = 'active'`, orgID).
		Scan(&version, &recipient)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, seal.Recipient{}, fmt.Errorf("intake: key ring: no active key: %w", kit.ErrUnavailable)
	}
	if err != nil {
		return 0, seal.Recipient{}, fmt.Errorf("intake: key ring: %w", err)
	}
	r, err := ring.ParseRecipient(orgID, version, recipient)
	if err != nil {
		return 0, seal.Recipient{}, err
	}
	ring.cache.setActive(orgID, version, r)
	return version, r, nil
}

// Identity returns orgID's identity of the given version, unless it was
// destroyed.
func (ring *Ring) Identity(ctx context.Context, q Querier, orgID string, version int) (*seal.OrgIdentity, error) {
	var blob []byte
	err := q.QueryRowContext(ctx, `SELECT wrapped_identity FROM org_keys WHERE org_id = $1 AND version = $2 AND state <> 'destroyed'`,
		orgID, version).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) || err == nil && blob == nil {
		return nil, fmt.Errorf("intake: key ring: no usable key: %w", kit.ErrUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("intake: key ring: %w", err)
	}
	return ring.LiveIdentity(orgID, version, 0, blob)
}

// LiveIdentity returns the identity of (orgID, version), which the caller
// has just read, not destroyed, as blob: unwrapped once, then from the
// cache. oldestLive, when known, is orgID's oldest version not destroyed;
// older versions leave the cache.
func (ring *Ring) LiveIdentity(orgID string, version, oldestLive int, blob []byte) (*seal.OrgIdentity, error) {
	if id, ok := ring.cache.identity(orgID, version, oldestLive); ok {
		return id, nil
	}
	id, err := ring.UnwrapIdentity(orgID, blob)
	if err != nil {
		return nil, err
	}
	ring.cache.putIdentity(orgID, version, id)
	return id, nil
}

func (ring *Ring) UnwrapIdentity(orgID string, blob []byte) (*seal.OrgIdentity, error) {
	id, err := seal.UnwrapIdentity(ring.wrapKey, orgID, blob)
	if err != nil {
		return nil, fmt.Errorf("intake: key ring: unwrap identity: %w", err)
	}
	if id.Kind() != ring.kind {
		return nil, fmt.Errorf("intake: key ring: %w", seal.ErrKindMismatch)
	}
	return id, nil
}

// ActiveKey is an organisation's active key version and recipient.
type ActiveKey struct {
	Version   int
	Recipient string
}

// ActiveKeys returns the active key of each of orgs, share-locked until
// tx ends (on PostgreSQL). A lock that waited for a rotation sees the row
// retired and misses its successor, which is not in the statement's
// snapshot; the next statement sees it.
func (ring *Ring) ActiveKeys(ctx context.Context, tx Querier, orgs []string) (map[string]ActiveKey, error) {
	ph := make([]string, len(orgs))
	args := make([]any, len(orgs))
	for i, o := range orgs {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), o
	}
	q := `SELECT org_id, version, recipient FROM org_keys WHERE state = 'active' AND org_id IN (` + strings.Join(ph, ", ") + `) ORDER BY org_id`
	if ring.db.Engine == db.Postgres {
		q += " FOR SHARE"
	}
	var out map[string]ActiveKey
	for range 3 {
		out = make(map[string]ActiveKey, len(orgs))
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("intake: key ring: %w", err)
		}
		for rows.Next() {
			var (
				org string
				k   ActiveKey
			)
			if err := rows.Scan(&org, &k.Version, &k.Recipient); err != nil {
				rows.Close()
				return nil, fmt.Errorf("intake: key ring: %w", err)
			}
			out[org] = k
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("intake: key ring: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("intake: key ring: %w", err)
		}
		if len(out) == len(orgs) {
			break
		}
	}
	return out, nil
}

// Tx runs fn in a transaction that, on SQLite, deletes securely: freed
// space is zeroed, so an identity blob moved or removed by an update
// leaves no copy in the page.
func (ring *Ring) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if ring.db.Engine != db.SQLite {
		return ring.db.Tx(ctx, fn)
	}
	conn, err := ring.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("intake: key ring: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return fmt.Errorf("intake: key ring: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("intake: key ring: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("intake: key ring: commit: %w", err)
	}
	return nil
}
