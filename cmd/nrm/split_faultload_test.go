//go:build chaos

package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The load of the fault tests: officers registering cases and referring
// them through the ingress, each write under its own Idempotency-Key and
// sent again with that key on a refused connection or a 5xx, 409 or 429,
// as a client following the API would.

// faultIngress routes by path to the live replicas of each service, like
// the split tests' ingress, with a routing table that a replica restarted
// during the load replaces its dead predecessor in.
type faultIngress struct {
	mu     sync.RWMutex
	routes map[string][]*proc
	turn   atomic.Uint64
	URL    string
}

func newFaultIngress(t *testing.T, d *splitDeployment) *faultIngress {
	in := &faultIngress{routes: map[string][]*proc{}}
	for svc, ps := range d.procs {
		in.routes[svc] = append([]*proc(nil), ps...)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		u, _ := url.Parse(in.pick(serviceOfPath(r.In.URL.Path)))
		r.SetURL(u)
	}, ErrorLog: log.New(io.Discard, "", 0)}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	in.URL = front.URL
	return in
}

// pick is the next live replica's base URL (a dead one's, if all are).
func (in *faultIngress) pick(svc string) string {
	in.mu.RLock()
	defer in.mu.RUnlock()
	ps := in.routes[svc]
	for range ps {
		if p := ps[int(in.turn.Add(1))%len(ps)]; !p.dead.Load() {
			return p.base
		}
	}
	return ps[0].base
}

// replace routes to p, ready, instead of old.
func (in *faultIngress) replace(old, p *proc) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for svc, ps := range in.routes {
		for i := range ps {
			if ps[i] == old {
				ps[i] = p
				in.routes[svc] = ps
			}
		}
	}
}

// attempt is one request sent: when it ended and whether it was answered
// with success.
type attempt struct {
	start, end time.Time
	status     int // 0: no answer
	ok         bool
}

// faultLoad is the load and its ledger: what was acknowledged, and every
// attempt.
type faultLoad struct {
	base, officer, shelterOrg string
	hc                        *http.Client

	mu       sync.Mutex
	cases    []string // acknowledged registrations
	refs     []string // acknowledged referrals
	gaveUp   int      // writes never acknowledged (none expected)
	attempts []attempt

	stop atomic.Bool
	wg   sync.WaitGroup
}

func newFaultLoad(base, officer, shelterOrg string) *faultLoad {
	return &faultLoad{base: base, officer: officer, shelterOrg: shelterOrg, hc: &http.Client{Timeout: 15 * time.Second}}
}

// start runs clients until halt.
func (l *faultLoad) start(clients int) {
	l.stop.Store(false)
	for w := range clients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; !l.stop.Load(); i++ {
				id := l.write("/api/v1/cases", registrationBody(fmt.Sprintf("fault%d_%d", w, i)))
				if id == "" {
					continue
				}
				l.mu.Lock()
				l.cases = append(l.cases, id)
				l.mu.Unlock()
				if i%2 == 1 {
					continue
				}
				if ref := l.write("/api/v1/referrals", l.referralBody(id, "normal")); ref != "" {
					l.mu.Lock()
					l.refs = append(l.refs, ref)
					l.mu.Unlock()
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
}

// halt stops the clients and waits for the writes in flight.
func (l *faultLoad) halt() {
	l.stop.Store(true)
	l.wg.Wait()
}

func registrationBody(name string) []byte {
	r := minimalRegistration(name)
	delete(r, "identity") // no duplicate check, which is paced per user
	b, _ := json.Marshal(r)
	return b
}

func (l *faultLoad) referralBody(caseID, urgency string) []byte {
	b, _ := json.Marshal(map[string]any{"case_id": caseID, "service": "shelter", "urgency": urgency,
		"candidates": []string{l.shelterOrg}})
	return b
}

// write posts body under one key until it is acknowledged or refused for
// good, or a minute has passed; it returns the id acknowledged.
func (l *faultLoad) write(path string, body []byte) string {
	var k [16]byte
	_, _ = rand.Read(k[:])
	key := hex.EncodeToString(k[:])
	first := time.Now()
	backoff := 50 * time.Millisecond
	for {
		a := attempt{start: time.Now()}
		st, id := l.post(path, body, key)
		a.end, a.status, a.ok = time.Now(), st, st == http.StatusCreated || st == http.StatusOK
		l.mu.Lock()
		l.attempts = append(l.attempts, a)
		l.mu.Unlock()
		switch {
		case a.ok && id != "":
			return id
		case st != 0 && st < 500 && st != http.StatusConflict && st != http.StatusTooManyRequests,
			time.Since(first) > time.Minute:
			l.mu.Lock()
			l.gaveUp++
			l.mu.Unlock()
			return ""
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, time.Second)
	}
}

func (l *faultLoad) post(path string, body []byte, key string) (int, string) {
	req, _ := http.NewRequest("POST", l.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.officer)
	req.Header.Set("Idempotency-Key", key)
	resp, err := l.hc.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	var v struct {
		ID string `json:"id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v.ID
}

// faultFigures is what the clients saw of a fault.
type faultFigures struct {
	failed   int         // attempts that failed from the fault's start on
	statuses map[int]int // how they failed: status (0, no answer) → attempts
	first    float64     // seconds from the fault's end to the first success sent after it (-1: none)
	last     float64     // seconds from the fault's end to the end of the last failure (negative: before)
}

func (f faultFigures) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "attempts failed %d", f.failed)
	for i, st := range slices.Sorted(maps.Keys(f.statuses)) {
		fmt.Fprintf(&b, "%s%d×%d", map[bool]string{true: " (status×n: ", false: ", "}[i == 0], st, f.statuses[st])
	}
	if f.failed > 0 {
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " | first success %.1f s after the fault ended, ", f.first)
	if f.last > 0 {
		fmt.Fprintf(&b, "last failure %.1f s after", f.last)
	} else {
		b.WriteString("no failure after")
	}
	return b.String()
}

// during is what the attempts ending after since saw of a fault that
// ended at end.
func (l *faultLoad) during(since, end time.Time) faultFigures {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := faultFigures{statuses: map[int]int{}, first: -1}
	var first, last time.Time
	for _, a := range l.attempts {
		if !a.ok && a.end.After(since) {
			f.failed++
			f.statuses[a.status]++
			if a.end.After(last) {
				last = a.end
			}
		}
		if a.ok && !a.start.Before(end) && (first.IsZero() || a.end.Before(first)) {
			first = a.end
		}
	}
	if !first.IsZero() {
		f.first = first.Sub(end).Seconds()
	}
	if !last.IsZero() {
		f.last = last.Sub(end).Seconds()
	}
	return f
}

// waitSuccess waits until an attempt sent after end succeeds.
func (l *faultLoad) waitSuccess(t *testing.T, end time.Time) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if l.during(end, end).first >= 0 {
			return
		}
	}
	t.Fatalf("no write succeeded in the 90 s after the fault")
}
