package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/nrm-project/nrm/internal/democreds"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pquerna/otp/totp"
)

// floodResult is what the login-flood scenario reports.
type floodResult struct {
	Scenario       string  `json:"scenario"`
	FloodAddresses int     `json:"flood_addresses"`
	FloodRequests  int64   `json:"flood_requests"`
	FloodStatuses  string  `json:"flood_statuses"`
	Legitimate     int     `json:"legitimate"`
	Succeeded      int     `json:"succeeded"`
	SuccessShare   float64 `json:"success_share"`
	P50ms          float64 `json:"p50_ms"`
	P99ms          float64 `json:"p99_ms"`
	MaxMs          float64 `json:"max_ms"`
	FirstFailure   string  `json:"first_failure,omitempty"`
}

// runLoginFlood measures what a password-guessing flood does to real
// users: addresses 127.0.0.2… each send wrong passwords with `perAddress`
// clients for d, while every demo user signs in with the right password
// and code from 127.0.0.1 once per TOTP step (a code is accepted once).
// It reports the share of those logins that succeeded and their latency.
// Loopback only: the flood's source addresses are 127.0.0.x.
func runLoginFlood(ctx context.Context, base, credentials string, addresses, perAddress int, d time.Duration, floodKnown bool, stdout io.Writer) error {
	u, err := url.Parse(base)
	if err != nil || !isLoopback(u.Hostname()) {
		return usageError{"--scenario login-flood only targets a server on this machine (127.0.0.1, ::1, localhost)"}
	}
	if addresses < 0 || addresses > 200 || perAddress < 1 || perAddress > 64 {
		return usageError{"--flood-addresses must be within [0, 200] (0: no flood, the baseline) and --concurrency within [1, 64] for login-flood"}
	}
	creds, err := democreds.ReadAll(credentials)
	if err != nil {
		return err
	}
	if len(creds) == 0 {
		return fmt.Errorf("credentials: no users in %s", credentials)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()

	var (
		floodN   atomic.Int64
		statusMu sync.Mutex
		statuses = map[int]int{}
		wg       sync.WaitGroup
	)
	for a := range addresses {
		client := clientFrom(fmt.Sprintf("127.0.0.%d", a+2), perAddress)
		for w := range perAddress {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(a), uint64(w)))
				for ctx.Err() == nil {
					email := fmt.Sprintf("guess-%d@police.demo", rng.IntN(1_000_000))
					if floodKnown && rng.IntN(2) == 0 {
						email = creds[rng.IntN(len(creds))].Email
					}
					st, _ := postLogin(ctx, client, base, email, "wrong password "+fmt.Sprint(rng.Int()), "123456")
					if ctx.Err() != nil {
						return
					}
					floodN.Add(1)
					statusMu.Lock()
					statuses[st]++
					statusMu.Unlock()
				}
			}()
		}
	}

	legit := clientFrom("127.0.0.1", len(creds))
	var (
		mu        sync.Mutex
		latencies []time.Duration
		attempts  int
		firstFail string
	)
	for i, c := range creds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the users over the step so the logins do not come in
			// one burst.
			offset := time.Duration(i) * 30 * time.Second / time.Duration(len(creds))
			if !sleepCtx(ctx, offset) {
				return
			}
			for {
				now := time.Now()
				code, err := totp.GenerateCode(c.Secret, now)
				if err != nil {
					return
				}
				t := time.Now()
				st, body := postLogin(ctx, legit, base, c.Email, c.Password, code)
				if ctx.Err() != nil && st == 0 {
					return // cut off by the deadline: not a measurement
				}
				took := time.Since(t)
				mu.Lock()
				attempts++
				if st == http.StatusOK {
					latencies = append(latencies, took)
				} else if firstFail == "" {
					firstFail = fmt.Sprintf("%s: %d %s", c.Email, st, strings.TrimSpace(body))
				}
				mu.Unlock()
				// The next step, so the next code is a new one.
				next := now.Truncate(30 * time.Second).Add(30*time.Second + offset%(30*time.Second))
				if !sleepCtx(ctx, time.Until(next)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	var sts []string
	for st, n := range statuses {
		sts = append(sts, fmt.Sprintf("%d:%d", st, n))
	}
	slices.Sort(sts)
	r := floodResult{
		Scenario: "login-flood", FloodAddresses: addresses, FloodRequests: floodN.Load(), FloodStatuses: strings.Join(sts, " "),
		Legitimate: attempts, Succeeded: len(latencies), P50ms: pct(0.5), P99ms: pct(0.99), MaxMs: pct(1), FirstFailure: firstFail,
	}
	if attempts > 0 {
		r.SuccessShare = float64(len(latencies)) / float64(attempts)
	}
	fmt.Fprintf(stdout, "login-flood: %d addresses × %d clients sent %d wrong logins (%s); legitimate logins: %d of %d succeeded (%.1f%%), p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
		addresses, perAddress, r.FloodRequests, r.FloodStatuses, r.Succeeded, r.Legitimate, 100*r.SuccessShare, r.P50ms, r.P99ms, r.MaxMs)
	b, _ := json.Marshal(r)
	fmt.Fprintf(stdout, "%s\n", b)
	if firstFail != "" {
		fmt.Fprintf(stdout, "first failed legitimate login: %s\n", firstFail)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientFrom returns an HTTP client whose connections leave from the
// loopback address src.
func clientFrom(src string, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConns: conns, MaxIdleConnsPerHost: conns,
	}}
}

func postLogin(ctx context.Context, c *http.Client, base, email, password, code string) (int, string) {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password, "otp": code})
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/login", bytes.NewReader(b))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(body)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
