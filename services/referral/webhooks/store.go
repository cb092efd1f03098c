package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// The statements of the package: the webhook columns of providers and
// the webhook_deliveries table.

// Querier is a *sql.DB or a *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// hookURL is the webhook URL of orgID's directory entry ("" when none is
// set); kit.ErrNotFound when it has no entry.
func hookURL(ctx context.Context, q Querier, orgID string) (string, error) {
	var hook string
	err := q.QueryRowContext(ctx, `SELECT webhook_url FROM providers WHERE org_id = $1`, orgID).Scan(&hook)
	if errors.Is(err, sql.ErrNoRows) {
		return "", kit.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("referral: webhook of %s: %w", orgID, err)
	}
	return hook, nil
}

// insertDelivery stores a delivery of body to url, due at once.
func insertDelivery(ctx context.Context, tx Querier, id, orgID, url string, body []byte, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, org_id, url, body, attempts, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, 0, $5, $5)`, id, orgID, url, string(body), now); err != nil {
		return fmt.Errorf("referral: queue webhook: %w", err)
	}
	return nil
}

const deliveryColumns = `id, org_id, url, body, attempts, next_attempt_at`

func scanDelivery(sc interface{ Scan(...any) error }) (delivery, error) {
	var d delivery
	err := sc.Scan(&d.id, &d.org, &d.url, &d.body, &d.attempts, &d.next)
	return d, err
}

// dueDeliveries lists the deliveries neither delivered nor failed whose
// next attempt is due at now, oldest due first, at most limit.
func dueDeliveries(ctx context.Context, q Querier, now time.Time, limit int) ([]delivery, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("referral: webhooks: %w", err)
	}
	defer rows.Close()
	var due []delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("referral: webhooks: %w", err)
		}
		due = append(due, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("referral: webhooks: %w", err)
	}
	return due, nil
}

// claimDelivery moves d's next attempt to until if it is still the one
// read and d is undelivered; false when another sweeper claimed it first.
func claimDelivery(ctx context.Context, q Querier, d delivery, until time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $3
		WHERE id = $1 AND next_attempt_at = $2 AND delivered_at IS NULL`, d.id, d.next, until)
	if err != nil {
		return false, fmt.Errorf("referral: webhooks: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// outcome is what came of an attempt at a delivery.
type outcome int

const (
	delivered outcome = iota // at: when
	failed                   // the last attempt; at: when
	retry                    // at: the next attempt
)

var attemptStatements = map[outcome]string{
	delivered: `UPDATE webhook_deliveries SET delivered_at = $2, attempts = attempts + 1 WHERE id = $1`,
	failed:    `UPDATE webhook_deliveries SET failed_at = $2, attempts = attempts + 1 WHERE id = $1`,
	retry:     `UPDATE webhook_deliveries SET next_attempt_at = $2, attempts = attempts + 1 WHERE id = $1`,
}

// attempted counts an attempt at delivery id and records its outcome.
func attempted(ctx context.Context, q Querier, id string, o outcome, at time.Time) error {
	if _, err := q.ExecContext(ctx, attemptStatements[o], id, at); err != nil {
		return fmt.Errorf("referral: webhooks: %w", err)
	}
	return nil
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
