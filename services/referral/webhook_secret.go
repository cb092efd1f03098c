package referral

import (
	"context"
	"database/sql"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/referral/webhooks"
)

// WebhookSecretInfo is a provider's webhook secret, shown once (package
// webhooks).
type WebhookSecretInfo = webhooks.SecretInfo

// issueSecret starts a new generation of orgID's webhook secret in tx,
// audited, and returns it for showing once.
func (s *service) issueSecret(ctx context.Context, tx *sql.Tx, orgID, action string) (WebhookSecretInfo, error) {
	info, err := webhooks.Issue(ctx, tx, s.hookKey, orgID, s.now())
	if err != nil {
		return WebhookSecretInfo{}, err
	}
	if err := s.audit(ctx, tx, s.rec.New(ctx, action, "provider", orgID, event.Allowed)); err != nil {
		return WebhookSecretInfo{}, err
	}
	return info, nil
}

// RotateWebhookSecret gives a provider a new webhook secret, shown in the
// answer only; deliveries from then on are signed with it. The provider's
// own administrators and system administrators only.
func (s *service) RotateWebhookSecret(ctx context.Context, orgID string) (WebhookSecretInfo, error) {
	const action = "referral.provider.webhook_secret.rotate"
	p, err := auth.Required(ctx)
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
		if _, err := webhooks.Version(ctx, tx, orgID); err != nil {
			return err
		}
		out, err = s.issueSecret(ctx, tx, orgID, action)
		return err
	})
	return out, err
}
