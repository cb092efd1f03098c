package webhooks

import (
	"context"
	"encoding/hex"
	"time"
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
