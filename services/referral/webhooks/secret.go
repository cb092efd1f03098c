package webhooks

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// SecretInfo is an organisation's webhook secret, shown once: when the
// webhook is set and on each rotation. Secret is the hex HMAC key.
type SecretInfo struct {
	OrgID     string    `json:"org_id"`
	Secret    string    `json:"webhook_secret"`
	Version   int       `json:"version"`
	IssuedAt  time.Time `json:"issued_at"`
	Signature string    `json:"signature_header"`
	Timestamp string    `json:"timestamp_header"`
}

// Version is the generation of an organisation's webhook secret;
// kit.ErrNotFound when it has no directory entry.
func Version(ctx context.Context, q Querier, orgID string) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT webhook_secret_version FROM providers WHERE org_id = $1`, orgID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, kit.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("referral: webhook secret of %s: %w", orgID, err)
	}
	return v, nil
}

// nextSecret moves an organisation's webhook secret to a new generation.
func nextSecret(ctx context.Context, tx Querier, orgID string) (int, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE providers SET webhook_secret_version = webhook_secret_version + 1
		WHERE org_id = $1`, orgID); err != nil {
		return 0, fmt.Errorf("referral: rotate webhook secret of %s: %w", orgID, err)
	}
	return Version(ctx, tx, orgID)
}

// Issue starts a new generation of orgID's webhook secret in tx and
// returns it for showing once; deliveries from then on are signed with it.
func Issue(ctx context.Context, tx Querier, webhookKey []byte, orgID string, now time.Time) (SecretInfo, error) {
	v, err := nextSecret(ctx, tx, orgID)
	if err != nil {
		return SecretInfo{}, err
	}
	return SecretInfo{
		OrgID: orgID, Secret: hex.EncodeToString(Secret(webhookKey, orgID, v)), Version: v, IssuedAt: now,
		Signature: SignatureHeader, Timestamp: TimestampHeader,
	}, nil
}
