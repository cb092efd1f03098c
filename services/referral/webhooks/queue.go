package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
)

// Querier is a *sql.DB or a *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queue stores a delivery of body to orgID's webhook in tx, the
// transaction of the change it tells of; an organisation without a
// webhook gets none.
func Queue(ctx context.Context, tx Querier, orgID string, body []byte, now time.Time) error {
	var hook string
	err := tx.QueryRowContext(ctx, `SELECT webhook_url FROM providers WHERE org_id = $1`, orgID).Scan(&hook)
	if err == sql.ErrNoRows || err == nil && hook == "" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("referral: webhook of %s: %w", orgID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, org_id, url, body, attempts, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, 0, $5, $5)`, event.NewID(), orgID, hook, string(body), now); err != nil {
		return fmt.Errorf("referral: queue webhook: %w", err)
	}
	return nil
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
