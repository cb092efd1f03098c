package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Queue stores a delivery of body to orgID's webhook in tx, the
// transaction of the change it tells of; an organisation without a
// webhook gets none.
func Queue(ctx context.Context, tx Querier, orgID string, body []byte, now time.Time) error {
	hook, err := hookURL(ctx, tx, orgID)
	if errors.Is(err, kit.ErrNotFound) || err == nil && hook == "" {
		return nil
	}
	if err != nil {
		return err
	}
	return insertDelivery(ctx, tx, event.NewID(), orgID, hook, body, now)
}

// Body is all a webhook carries: ids, codes and a deadline.
type Body struct {
	ReferralID string     `json:"referral_id"`
	Event      string     `json:"event"`
	Service    string     `json:"service"`
	Urgency    string     `json:"urgency"`
	Deadline   *time.Time `json:"deadline,omitempty"`
	SentAt     time.Time  `json:"sent_at"`
}

// Tell queues a delivery of b to orgID's webhook in tx (Queue).
func Tell(ctx context.Context, tx Querier, orgID string, b Body, now time.Time) error {
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return Queue(ctx, tx, orgID, body, now)
}
