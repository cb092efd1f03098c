package webhooks

import (
	"bytes"
	"context"
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
	due, err := dueDeliveries(ctx, s.db, now, limit)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range due {
		claimed, err := claimDelivery(ctx, s.db, d, now.Add(2*time.Minute))
		if err != nil {
			return sent, err
		}
		if !claimed {
			continue
		}
		o, at := retry, now.Add(Backoff(d.attempts))
		if s.post(ctx, d, now) {
			o, at = delivered, now
			sent++
		} else if d.attempts+1 >= MaxAttempts {
			o, at = failed, now
		}
		if err := attempted(ctx, s.db, d.id, o, at); err != nil {
			return sent, err
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
