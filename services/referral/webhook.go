package referral

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Webhook headers. The signature is "sha256=" and the hex HMAC-SHA256,
// under the provider's webhook secret (WebhookSecret), of the timestamp
// header, a dot and the body, so a captured delivery cannot be replayed
// later with a new time (docs/webhooks.md).
const (
	SignatureHeader = "X-NRM-Signature"
	TimestampHeader = "X-NRM-Timestamp" // Unix seconds when the attempt was sent
	DeliveryHeader  = "X-NRM-Delivery"
	maxAttempts     = 12
)

// WebhookSecret is the key a provider verifies its webhooks with: an HMAC
// of its organisation id and the secret's generation under the webhook
// subkey, so each provider has its own, a rotation makes a new one, and
// none is stored. It is shown to the provider hex-encoded.
func WebhookSecret(webhookKey []byte, orgID string, version int) []byte {
	m := hmac.New(sha256.New, webhookKey)
	m.Write([]byte("referral-webhook:" + orgID))
	if version > 0 {
		m.Write([]byte(":" + strconv.Itoa(version)))
	}
	return m.Sum(nil)
}

// Sign returns the signature header value of a delivery for a provider.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// backoff is the wait after the n-th failed attempt: 30 s doubling, at
// most an hour.
func backoff(n int) time.Duration {
	d := 30 * time.Second << min(n, 7)
	return min(d, time.Hour)
}

type delivery struct {
	id, org, url, body string
	attempts           int
	next               time.Time
}

// deliverWebhooks sends the deliveries due at now. Each is claimed by
// moving its next attempt a lease ahead, so two sweepers never send the
// same one at once.
func (s *service) deliverWebhooks(ctx context.Context, now time.Time, limit int) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, org_id, url, body, attempts, next_attempt_at FROM webhook_deliveries
		WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`, now, limit)
	if err != nil {
		return 0, fmt.Errorf("referral: webhooks: %w", err)
	}
	var due []delivery
	for rows.Next() {
		var d delivery
		if err := rows.Scan(&d.id, &d.org, &d.url, &d.body, &d.attempts, &d.next); err != nil {
			rows.Close()
			return 0, fmt.Errorf("referral: webhooks: %w", err)
		}
		due = append(due, d)
	}
	rows.Close()
	sent := 0
	for _, d := range due {
		res, err := s.db.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $3
			WHERE id = $1 AND next_attempt_at = $2 AND delivered_at IS NULL`, d.id, d.next, now.Add(2*time.Minute))
		if err != nil {
			return sent, fmt.Errorf("referral: webhooks: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue
		}
		var q string
		var args []any
		if s.post(ctx, d, now) {
			q, args = `UPDATE webhook_deliveries SET delivered_at = $2, attempts = attempts + 1 WHERE id = $1`, []any{d.id, now}
			sent++
		} else if d.attempts+1 >= maxAttempts {
			q, args = `UPDATE webhook_deliveries SET failed_at = $2, attempts = attempts + 1 WHERE id = $1`, []any{d.id, now}
		} else {
			q, args = `UPDATE webhook_deliveries SET next_attempt_at = $2, attempts = attempts + 1 WHERE id = $1`,
				[]any{d.id, now.Add(backoff(d.attempts))}
		}
		if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
			return sent, fmt.Errorf("referral: webhooks: %w", err)
		}
	}
	return sent, nil
}

func (s *service) post(ctx context.Context, d delivery, now time.Time) bool {
	body := []byte(d.body)
	version, err := s.store.secretVersion(ctx, s.db, d.org)
	if err != nil {
		return false
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(DeliveryHeader, d.id)
	req.Header.Set(TimestampHeader, ts)
	req.Header.Set(SignatureHeader, Sign(WebhookSecret(s.hookKey, d.org, version), ts, body))
	resp, err := s.hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}
