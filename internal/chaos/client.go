package chaos

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/nrm-project/nrm/internal/democreds"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pquerna/otp/totp"
)

// Headers the suite sends: every request carries its own id (the server
// keeps ids of this format and writes them into the audit log), every
// creating request an idempotency key.
const (
	requestIDHeader   = "X-Request-Id"
	idempotencyHeader = "Idempotency-Key"
)

// newID returns 32 random hex digits: a request id the server keeps.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newKey returns a random UUID (version 4) for an Idempotency-Key: the
// most widely accepted form of key.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// credential is a demo user's sign-in.
type credential = democreds.Credential

// session is a signed-in user's token, renewed before it expires. A
// second-factor code is accepted once, so a renewal waits for the next
// 30-second step when the code was used.
type session struct {
	cred   credential
	base   string
	client *http.Client

	mu      sync.Mutex
	token   string
	since   time.Time
	lastOTP string
}

func (s *session) bearer(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && time.Since(s.since) < 10*time.Minute {
		return s.token, nil
	}
	return s.loginLocked(ctx)
}

// relogin replaces the token (after 401s that outlast a restart).
func (s *session) relogin(ctx context.Context, old string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != old {
		return s.token, nil
	}
	return s.loginLocked(ctx)
}

func (s *session) loginLocked(ctx context.Context) (string, error) {
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for time.Now().Before(deadline) {
		code, err := totp.GenerateCode(s.cred.Secret, time.Now())
		if err != nil {
			return "", err
		}
		if code == s.lastOTP {
			if err := sleep(ctx, time.Until(time.Now().Truncate(30*time.Second).Add(31*time.Second))); err != nil {
				return "", err
			}
			continue
		}
		b, _ := json.Marshal(map[string]string{"email": s.cred.Email, "password": s.cred.Password, "otp": code})
		req, _ := http.NewRequestWithContext(ctx, "POST", s.base+"/api/v1/auth/login", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(requestIDHeader, newID())
		resp, err := s.client.Do(req)
		if err != nil {
			last = err
			if err := sleep(ctx, 500*time.Millisecond); err != nil {
				return "", err
			}
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			s.lastOTP = code
			var t struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" {
				return "", fmt.Errorf("chaos: login answer: %v", err)
			}
			s.token, s.since = t.AccessToken, time.Now()
			return s.token, nil
		}
		last = fmt.Errorf("login %s: status %d", s.cred.Email, resp.StatusCode)
		if resp.StatusCode == http.StatusUnauthorized {
			s.lastOTP = code // perhaps spent by a login whose answer was lost
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("chaos: sign-in failed: %w", last)
}

// exchange is one HTTP request and what came back.
type exchange struct {
	requestID string
	status    int // 0: no answer (connection refused, reset, timeout)
	code      string
	body      []byte
	err       error
	retryIn   time.Duration // from Retry-After
	token     string        // the bearer token sent
}

// do sends one request as the session's user. key, when set, is sent as
// the Idempotency-Key.
func (s *session) do(ctx context.Context, method, path string, body []byte, key string) exchange {
	x := exchange{requestID: newID()}
	token, err := s.bearer(ctx)
	if err != nil {
		x.err = err
		return x
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, r)
	if err != nil {
		x.err = err
		return x
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(requestIDHeader, x.requestID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(idempotencyHeader, key)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		x.err = err
		return x
	}
	defer resp.Body.Close()
	x.status = resp.StatusCode
	x.body, x.err = io.ReadAll(resp.Body)
	if x.err != nil {
		// The status came but not the whole answer: not acknowledged.
		x.status = 0
		return x
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra >= 0 {
		x.retryIn = time.Duration(ra) * time.Second
	}
	if x.status >= 400 {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.Unmarshal(x.body, &e)
		x.code = e.Error.Code
	}
	x.token = token
	return x
}

// outcome names an exchange for the tally: "201", "503 unavailable",
// "no answer".
func (x exchange) outcome() string {
	if x.status == 0 {
		return "no answer"
	}
	if x.code != "" {
		return strconv.Itoa(x.status) + " " + x.code
	}
	return strconv.Itoa(x.status)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
