package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/nrm-project/nrm/internal/democreds"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/nrm-project/nrm/services/intake"
)

// cmdLoadtest drives a running server over HTTP and reports throughput and
// latency percentiles. It only ever targets the --url it is given (a server
// of this deployment on this machine or a test host), and stops by itself.
func cmdLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(stderr)
	var (
		base        string
		credentials string
		email       string
		scenario    string
		duration    time.Duration
		concurrency int
		maxRequests int
		warmup      int
	)
	fs.StringVar(&base, "url", "http://127.0.0.1:8080", "server to load (this deployment only)")
	fs.StringVar(&credentials, "credentials", "./nrm-keys/demo-credentials.txt", "demo credentials file written by serve --demo")
	fs.StringVar(&email, "email", "officer@police.demo", "user to act as (a frontline officer)")
	fs.StringVar(&scenario, "scenario", "register", "register | read | oversight-pages (the pages of --role) | pages (each page of an officer in turn, --duration each; bytes of the first and case pages) | desk-pages (--email desk@authority.demo) | commission-pages (--email analyst@commission.demo): each page of the role in turn, with its bytes | login-flood (wrong passwords from --flood-addresses loopback addresses while every demo user signs in)")
	fs.DurationVar(&duration, "duration", 20*time.Second, "how long to run (bounded)")
	fs.IntVar(&concurrency, "concurrency", 16, "concurrent clients")
	fs.IntVar(&maxRequests, "max-requests", 200000, "stop after this many requests")
	fs.IntVar(&warmup, "cases", 200, "read scenario: cases registered first and then read at random")
	floodAddresses := fs.Int("flood-addresses", 8, "login-flood: flooding source addresses (127.0.0.2…)")
	floodKnown := fs.Bool("flood-known", false, "login-flood: half the wrong passwords name the demo users' own accounts")
	role := fs.String("role", "auditor", "oversight-pages: the pages of auditor, org_admin or system_admin (with the --email of such a user)")
	keyed := fs.Bool("idempotency-keys", false, "register and read: send every POST with a fresh Idempotency-Key")
	think := fs.Duration("think", 0, "each client waits this long (±50%, at random) between its requests, as a person reading a page does; 0: none (the server's throughput)")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if duration <= 0 || duration > 10*time.Minute || concurrency < 1 || concurrency > 512 {
		return usageError{"--duration must be within (0, 10m] and --concurrency within [1, 512]"}
	}
	if *think < 0 || *think > time.Minute {
		return usageError{"--think must be within [0, 1m]"}
	}
	ctx = withThink(ctx, *think)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return usageError{"--url must be an http(s) URL"}
	}
	switch scenario {
	case "register", "read", "pages", "desk-pages", "commission-pages", "oversight-pages", "login-flood":
	default:
		return usageError{"--scenario must be register, read, pages, desk-pages, commission-pages, oversight-pages or login-flood"}
	}
	if scenario == "login-flood" {
		return runLoginFlood(ctx, base, credentials, *floodAddresses, concurrency, duration, *floodKnown, stdout)
	}
	cred, err := democreds.Find(credentials, email)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2,
	}}
	token, err := loadLogin(ctx, client, base, cred)
	if err != nil {
		return err
	}
	apiCode, _ := totp.GenerateCode(cred.Secret, time.Now()) // used by the login, most likely
	lt := &loader{client: client, base: base, token: token, keyed: *keyed}
	if scenario == "desk-pages" || scenario == "commission-pages" {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return lt.runRolePages(ctx, scenario, cred, apiCode, concurrency, duration, maxRequests, stdout)
	}
	if scenario == "pages" {
		// The pages' own redirects are the answers measured.
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return lt.runPages(ctx, cred, apiCode, concurrency, duration, maxRequests, stdout)
	}
	if scenario == "oversight-pages" {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return lt.runOversightPages(ctx, cred, apiCode, *role, concurrency, duration, maxRequests, stdout)
	}
	var op func(ctx context.Context, rng *rand.Rand) error
	switch scenario {
	case "register":
		op = lt.register
	case "read":
		fmt.Fprintf(stdout, "registering %d cases to read...\n", warmup)
		if err := lt.warmUp(ctx, warmup, concurrency); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
		op = lt.read
	default:
		return usageError{"--scenario must be register, read, pages, desk-pages, commission-pages, oversight-pages or login-flood"}
	}
	res := runLoad(ctx, op, concurrency, duration, maxRequests)
	res.Scenario = scenario
	res.print(stdout)
	if res.Errors > 0 {
		return fmt.Errorf("%d requests failed (first: %s)", res.Errors, res.FirstError)
	}
	return nil
}

// loadCredential is a demo user's sign-in.
type loadCredential = democreds.Credential

func loadLogin(ctx context.Context, c *http.Client, base string, cred loadCredential) (string, error) {
	for attempt := 0; attempt < 3; attempt++ {
		code, err := totp.GenerateCode(cred.Secret, time.Now())
		if err != nil {
			return "", err
		}
		b, _ := json.Marshal(map[string]string{"email": cred.Email, "password": cred.Password, "otp": code})
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/login", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			var t struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(body, &t); err != nil {
				return "", err
			}
			return t.AccessToken, nil
		}
		// A code is accepted once: wait for the next 30-second step.
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Until(time.Now().Truncate(30 * time.Second).Add(31 * time.Second))):
		}
	}
	return "", errors.New("login failed")
}

type loader struct {
	client *http.Client
	base   string
	token  string
	ids    []string
	// keyed sends every POST with a fresh Idempotency-Key, as a client
	// that retries safely does.
	keyed bool
}

// loadName makes a pronounceable name from random syllables, so names
// (and their folded skeletons) rarely repeat, as among real people:
// duplicate detection then does the work it does in production.
func loadName(rng *rand.Rand) string {
	const consonants, vowels = "bdfghjklmnprstvz", "aeiou"
	word := func(syllables int) string {
		b := make([]byte, 0, 2*syllables)
		for range syllables {
			b = append(b, consonants[rng.IntN(len(consonants))], vowels[rng.IntN(len(vowels))])
		}
		b[0] -= 'a' - 'A'
		return string(b)
	}
	return word(2+rng.IntN(2)) + " " + word(3)
}

// loadAccount is the narrative of every load-test registration.
var loadAccount = strings.Repeat("Recruited with a false promise of work. ", 8)

// registration is the registration the load test sends, in the API's own
// type: a struct encodes in 6 us where the same map took 10 us, and the
// generator shares the machine with the server it loads.
func (l *loader) registration(rng *rand.Rand) intake.Registration {
	return intake.Registration{
		Route: "nrm", IdentifiedOn: time.Now().UTC().Format("2006-01-02"), Region: fmt.Sprintf("MA-%02d", 1+rng.IntN(12)),
		Gender: "female", AgeGroup: "adult", Nationalities: []string{"NG"},
		ExploitationTypes: []string{"sexual", "labour"}, ExploitationLocation: "both",
		Needs: []string{"shelter", "medical"}, Languages: []string{"en", "fr"},
		Consent:   intake.ConsentInput{Assistance: true, NRMReferral: true, DataSharing: true},
		Identity:  &intake.IdentityInfo{FullName: loadName(rng), DateOfBirth: fmt.Sprintf("%d-04-02", 1980+rng.IntN(25))},
		Narrative: &intake.NarrativeInfo{Account: loadAccount},
		Health:    &intake.HealthInfo{Notes: "Needs a medical check."},
		Legal:     &intake.LegalInfo{Notes: "No documents."},
	}
}

func (l *loader) do(ctx context.Context, method, path string, body any, want int) ([]byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if l.keyed && method == http.MethodPost {
		req.Header.Set("Idempotency-Key", crand.Text())
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return nil, fmt.Errorf("%s %s: status %d %s", method, path, resp.StatusCode, e.Error.Code)
	}
	return b, nil
}

func (l *loader) registerID(ctx context.Context, rng *rand.Rand) (string, error) {
	b, err := l.do(ctx, "POST", "/api/v1/cases", l.registration(rng), http.StatusCreated)
	if err != nil {
		return "", err
	}
	var c struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		return "", errors.New("registration answer without an id")
	}
	return c.ID, nil
}

// warmUp registers n cases with the run's concurrency, as they would be
// under load (sharing key batch files), and keeps their ids.
func (l *loader) warmUp(ctx context.Context, n, concurrency int) error {
	ids := make([]string, n)
	errs := make(chan error, concurrency)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				id, err := l.registerID(ctx, rand.New(rand.NewPCG(uint64(i), 7)))
				if err != nil {
					errs <- err
					return
				}
				ids[i] = id
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	l.ids = ids
	return nil
}

func (l *loader) register(ctx context.Context, rng *rand.Rand) error {
	_, err := l.registerID(ctx, rng)
	return err
}

func (l *loader) read(ctx context.Context, rng *rand.Rand) error {
	_, err := l.do(ctx, "GET", "/api/v1/cases/"+l.ids[rng.IntN(len(l.ids))], nil, http.StatusOK)
	return err
}

// loadResult is what a run measured.
type loadResult struct {
	Scenario    string  `json:"scenario"`
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"per_second"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	FirstError  string  `json:"first_error,omitempty"`
}

func runLoad(ctx context.Context, op func(context.Context, *rand.Rand) error, concurrency int, d time.Duration, max int) loadResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		firstErr  string
		count     atomic.Int64
		wg        sync.WaitGroup
	)
	think := thinkOf(ctx)
	start := time.Now()
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			local := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil && count.Add(1) <= int64(max) {
				t := time.Now()
				err := op(ctx, rng)
				if ctx.Err() != nil {
					break // cut off by the deadline: not a measurement
				}
				if err != nil {
					mu.Lock()
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				local = append(local, time.Since(t))
				if think > 0 {
					pause := time.NewTimer(think/2 + time.Duration(rng.Int64N(int64(think))))
					select {
					case <-ctx.Done():
					case <-pause.C:
					}
					pause.Stop()
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	return loadResult{
		Concurrency: concurrency, Requests: len(latencies), Errors: errs, FirstError: firstErr,
		Seconds: elapsed.Seconds(), PerSecond: float64(len(latencies)) / elapsed.Seconds(),
		P50ms: pct(0.50), P90ms: pct(0.90), P99ms: pct(0.99), MaxMs: pct(1),
	}
}

func (r loadResult) print(w io.Writer) {
	fmt.Fprintf(w, "%s: %d ok, %d failed in %.1fs with %d clients: %.0f/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		r.Scenario, r.Requests, r.Errors, r.Seconds, r.Concurrency, r.PerSecond, r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
	b, _ := json.Marshal(r)
	fmt.Fprintf(w, "%s\n", b)
}

// thinkKey carries --think to runLoad: a paced client stands for a person
// (one page, a pause to read it), not for a loop asking as fast as it can.
type thinkKey struct{}

func withThink(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, thinkKey{}, d)
}

func thinkOf(ctx context.Context) time.Duration {
	d, _ := ctx.Value(thinkKey{}).(time.Duration)
	return d
}
