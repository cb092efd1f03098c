package referral

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
)

// WebhookSecretInfo is a provider's webhook secret, shown once: when the
// webhook is set and on each rotation. Secret is the hex HMAC key.
type WebhookSecretInfo struct {
	OrgID     string    `json:"org_id"`
	Secret    string    `json:"webhook_secret"`
	Version   int       `json:"version"`
	IssuedAt  time.Time `json:"issued_at"`
	Signature string    `json:"signature_header"`
	Timestamp string    `json:"timestamp_header"`
}

// secretVersion is the generation of a provider's webhook secret.
func (st *store) secretVersion(ctx context.Context, q queryer, orgID string) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT webhook_secret_version FROM providers WHERE org_id = $1`, orgID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("referral: webhook secret of %s: %w", orgID, err)
	}
	return v, nil
}

// nextSecret moves a provider's webhook secret to a new generation.
func (st *store) nextSecret(ctx context.Context, tx *sql.Tx, orgID string) (int, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE providers SET webhook_secret_version = webhook_secret_version + 1
		WHERE org_id = $1`, orgID); err != nil {
		return 0, fmt.Errorf("referral: rotate webhook secret of %s: %w", orgID, err)
	}
	return st.secretVersion(ctx, tx, orgID)
}

// issueSecret starts a new generation of orgID's webhook secret in tx,
// audited, and returns it for showing once.
func (s *service) issueSecret(ctx context.Context, tx *sql.Tx, orgID, action string) (WebhookSecretInfo, error) {
	v, err := s.store.nextSecret(ctx, tx, orgID)
	if err != nil {
		return WebhookSecretInfo{}, err
	}
	if err := s.audit(ctx, tx, s.rec.New(ctx, action, "provider", orgID, event.Allowed)); err != nil {
		return WebhookSecretInfo{}, err
	}
	return WebhookSecretInfo{
		OrgID: orgID, Secret: hex.EncodeToString(WebhookSecret(s.hookKey, orgID, v)), Version: v, IssuedAt: s.now(),
		Signature: SignatureHeader, Timestamp: TimestampHeader,
	}, nil
}

// RotateWebhookSecret gives a provider a new webhook secret, shown in the
// answer only; deliveries from then on are signed with it. The provider's
// own administrators and system administrators only.
func (s *service) RotateWebhookSecret(ctx context.Context, orgID string) (WebhookSecretInfo, error) {
	const action = "referral.provider.webhook_secret.rotate"
	p, err := principal(ctx)
	if err != nil {
		return WebhookSecretInfo{}, err
	}
	if !validID(orgID) {
		return WebhookSecretInfo{}, ErrNotFound
	}
	if !mayManage(p, orgID) {
		return WebhookSecretInfo{}, s.deny(ctx, action, "provider", orgID, ErrForbidden)
	}
	var out WebhookSecretInfo
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.store.secretVersion(ctx, tx, orgID); err != nil {
			return err
		}
		out, err = s.issueSecret(ctx, tx, orgID, action)
		return err
	})
	return out, err
}
