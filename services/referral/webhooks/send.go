package webhooks

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// MaxAttempts is how many times a delivery is tried before it is left.
const MaxAttempts = 12

// Backoff is the wait after the n-th failed attempt: 30 s doubling, at
// most an hour.
func Backoff(n int) time.Duration {
	d := 30 * time.Second << min(n, 7)
	return min(d, time.Hour)
}

// Sender posts the deliveries that are due.
type Sender struct {
	db  Querier
	key []byte
	hc  *http.Client
}

// NewSender returns a Sender over the referral database, signing with
// webhookKey (keys.PurposeWebhook). hc nil uses a client with a 10 s
// timeout; a copy of hc is used either way, never following redirects.
func NewSender(db Querier, webhookKey []byte, hc *http.Client) *Sender {
	c := &http.Client{Timeout: 10 * time.Second}
	if hc != nil {
		cp := *hc
		c = &cp
	}
	// A webhook is delivered to the checked URL or not at all: a redirect
	// could lead anywhere (an internal address), so it is a failed attempt.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Sender{db: db, key: webhookKey, hc: c}
}

type delivery struct {
	id, org, url, body string
	attempts           int
	next               time.Time
}

// Send sends the deliveries due at now, at most limit, and returns how
// many were delivered. Each is claimed by moving its next attempt a lease
// ahead, so two sweepers never send the same one at once.
func (s *Sender) Send(ctx context.Context, now time.Time, limit int) (int, error) {
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
		} else if d.attempts+1 >= MaxAttempts {
			q, args = `UPDATE webhook_deliveries SET failed_at = $2, attempts = attempts + 1 WHERE id = $1`, []any{d.id, now}
		} else {
			q, args = `UPDATE webhook_deliveries SET next_attempt_at = $2, attempts = attempts + 1 WHERE id = $1`,
				[]any{d.id, now.Add(Backoff(d.attempts))}
		}
		if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
			return sent, fmt.Errorf("referral: webhooks: %w", err)
		}
	}
	return sent, nil
}

func (s *Sender) post(ctx context.Context, d delivery, now time.Time) bool {
	body := []byte(d.body)
	version, err := Version(ctx, s.db, d.org)
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
	req.Header.Set(SignatureHeader, Sign(Secret(s.key, d.org, version), ts, body))
	resp, err := s.hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}
