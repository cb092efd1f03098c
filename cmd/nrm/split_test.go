package main

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit/contract"
	"github.com/nrm-project/nrm/pkg/mtls"
)

// splitBinary is the nrm binary the split tests start, built once.
var splitBinary struct {
	once sync.Once
	path string
	err  error
}

func buildNRM(t *testing.T) string {
	t.Helper()
	splitBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "nrm-split-bin")
		if err != nil {
			splitBinary.err = err
			return
		}
		splitBinary.path = filepath.Join(dir, "nrm")
		out, err := exec.Command("go", "build", "-o", splitBinary.path, ".").CombinedOutput()
		if err != nil {
			splitBinary.err = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if splitBinary.err != nil {
		t.Fatal(splitBinary.err)
	}
	return splitBinary.path
}

// proc is one nrm serve process of a split deployment.
type proc struct {
	name     string
	cmd      *exec.Cmd
	stdout   *syncBuffer
	stderr   *syncBuffer
	base     string // public listener
	internal string // internal listener
	dead     atomic.Bool
}

// kill ends p with SIGKILL: no shutdown, no flush.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	p.dead.Store(true)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// Ports handed out by freePort, below the kernel's ephemeral range
// (32768 and up on Linux): a port taken from a ":0" listener and closed
// was taken again, before the process bound it, by another test's
// listener or a connection's source port ("address already in use").
var (
	portMu   sync.Mutex
	nextPort = 20000 + rand.IntN(10000)
)

// freePort returns a loopback address nothing listens on now, one this
// test binary has not handed out before.
func freePort(t *testing.T) string {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	for range 12768 {
		p := nextPort
		if nextPort++; nextPort >= 32768 {
			nextPort = 20000
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}
	t.Fatal("no free port below the ephemeral range")
	return ""
}

// splitDeployment is every service in its own process, on one database.
type splitDeployment struct {
	t        *testing.T
	bin      string
	dbURL    string
	keys     string // the full key directory (nrm migrate, orgs, audit verify)
	certs    string
	internal map[string][]string // service -> internal addresses of its replicas
	procs    map[string][]*proc
	extra    []string // flags every process gets
}

// start starts one replica of service with args added.
func (d *splitDeployment) start(service string, replica int, keysDir string, extra ...string) *proc {
	t := d.t
	t.Helper()
	p := &proc{name: fmt.Sprintf("%s-%d", service, replica), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	args := []string{"serve", "--services", service, "--addr", "127.0.0.1:0", "--metrics-addr", "",
		"--internal-addr", d.internal[service][replica], "--certs", d.certs, "--keys", keysDir,
		"--database-url", d.dbURL, "--purge-every", "0", "--shutdown-timeout", "2s"}
	for _, n := range needs[service] {
		for _, a := range d.internal[n] {
			args = append(args, "--peer", n+"=https://"+a)
		}
	}
	p.cmd = exec.Command(d.bin, append(append(args, d.extra...), extra...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.Env = append(os.Environ(), "GOGC=400")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = p.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = p.cmd.Process.Kill()
				<-done
			}
		}
		if t.Failed() {
			t.Logf("%s stderr (tail):\n%s", p.name, tail(p.stderr.String(), 3000))
		}
	})
	d.procs[service] = append(d.procs[service], p)
	return p
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

var listeningRe = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// wait waits until p listens.
func (p *proc) wait(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRe.FindStringSubmatch(p.stdout.String()); m != nil {
			p.base = m[1]
			return
		}
		if p.cmd.ProcessState != nil || (p.cmd.Process != nil && p.cmd.Process.Signal(syscall.Signal(0)) != nil) {
			t.Fatalf("%s exited: %s", p.name, tail(p.stderr.String(), 3000))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not start: %s", p.name, tail(p.stderr.String(), 3000))
}

// ingress routes by path to the services' public listeners, taking the
// replicas in turn, as a deployment's ingress would (docs/deploy.md),
// behind the OpenAPI contract check.
func (d *splitDeployment) ingress() string { return d.ingressWith(true) }

// ingressWith is the ingress, with the contract check or without (a
// killed replica's connections end in 502s, which the API does not
// document).
func (d *splitDeployment) ingressWith(checked bool) string {
	var turn atomic.Uint64
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		svc := serviceOfPath(r.In.URL.Path)
		ps := d.procs[svc]
		p := ps[int(turn.Add(1))%len(ps)]
		for i := 0; p.dead.Load() && i < len(ps); i++ { // the ingress's health check
			p = ps[(int(turn.Add(1)))%len(ps)]
		}
		u, _ := url.Parse(p.base)
		r.SetURL(u)
	}}
	var h http.Handler = proxy
	if checked {
		h = contract.Handler(d.t, proxy)
	}
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	front := httptest.NewServer(h)
	d.t.Cleanup(front.Close)
	return front.URL
}

// serviceOfPath is the ingress's routing table.
func serviceOfPath(p string) string {
	for svc, prefixes := range routePrefixes {
		for _, pre := range prefixes {
			if p == pre || strings.HasSuffix(pre, "/") && strings.HasPrefix(p, pre) {
				return svc
			}
		}
	}
	return "identity"
}

// newSplitDeployment migrates a fresh PostgreSQL database, creates the
// certificates and starts identity (with the demo data), audit, stats,
// two intake and two referral replicas, each its own process.
// Each service gets its own key directory (nrm keys export): no master
// key, only the keys it uses and its own database password.
func newSplitDeployment(t *testing.T, extra ...string) (*splitDeployment, map[string]demoCredential) {
	t.Helper()
	return newSplitDeploymentOn(t, dbtest.Postgres(t).Config.URL, extra...)
}

// splitSlot lets one split deployment run at a time: its seven processes
// hold some 35 connections of the shared PostgreSQL server, and two of
// them beside the package's other tests went past its 100.
var splitSlot = make(chan struct{}, 1)

// newSplitDeploymentOn is newSplitDeployment on the empty database at
// dbURL (the fault tests' own cluster, which they restart).
func newSplitDeploymentOn(t *testing.T, dbURL string, extra ...string) (*splitDeployment, map[string]demoCredential) {
	t.Helper()
	splitSlot <- struct{}{}
	t.Cleanup(func() { <-splitSlot }) // after the processes' own cleanups
	root := t.TempDir()
	d := &splitDeployment{t: t, bin: buildNRM(t), dbURL: dbURL, keys: filepath.Join(root, "keys"),
		certs: filepath.Join(root, "certs"), internal: map[string][]string{}, procs: map[string][]*proc{}, extra: extra}
	for _, args := range [][]string{
		{"migrate", "--database-url", d.dbURL, "--keys", d.keys},
		{"certs", "--out", d.certs},
	} {
		if out, err := exec.Command(d.bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("nrm %s: %v: %s", args[0], err, out)
		}
	}
	replicas := map[string]int{"identity": 1, "audit": 1, "stats": 1, "intake": 2, "referral": 2}
	for svc, n := range replicas {
		for range n {
			d.internal[svc] = append(d.internal[svc], freePort(t))
		}
	}
	keysOf := func(svc string) string {
		dir := filepath.Join(root, "keys-"+svc)
		out, err := exec.Command(d.bin, "keys", "export", "--keys", d.keys, "--database-url", d.dbURL,
			"--service", svc, "--out", dir).CombinedOutput()
		if err != nil {
			t.Fatalf("nrm keys export --service %s: %v: %s", svc, err, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "master.key")); !os.IsNotExist(err) {
			t.Fatalf("%s's key directory holds the master key (%v)", svc, err)
		}
		return dir
	}
	// Identity first: every service verifies tokens with its keys and
	// revocations (a deployment waits on its readiness the same way).
	id := d.start("identity", 0, keysOf("identity"), "--demo")
	id.wait(t)
	var started []*proc
	for _, svc := range []string{"audit", "stats", "intake", "referral"} {
		for i := range replicas[svc] {
			started = append(started, d.start(svc, i, keysOf(svc)))
		}
	}
	for _, p := range started {
		p.wait(t)
	}
	for _, p := range started {
		p.waitReady(t)
	}
	return d, demoCredentials(t, id.stdout.String())
}

// waitReady waits until p's /readyz answers 200.
func (p *proc) waitReady(t *testing.T) {
	t.Helper()
	var last string
	for range 600 {
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			last = err.Error()
		} else {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
			last = resp.Status
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not ready: %s", p.name, last)
}

// TestSplitDeploymentJourney runs the whole journey over a split
// deployment: each service its own process (two replicas of intake and
// referral), peers calling each other over mutual TLS, users through an
// ingress routing by path.
func TestSplitDeploymentJourney(t *testing.T) {
	t.Parallel()
	d, creds := newSplitDeployment(t)
	base := d.ingress()
	j := &journey{t: t, base: base,
		officer: login(t, base, creds["officer@police.demo"]), shelter: login(t, base, creds["caseworker@shelter.demo"]),
		dm1: login(t, base, creds["decisions@authority.demo"]), analyst: login(t, base, creds["analyst@commission.demo"]),
		sys: login(t, base, creds["sysadmin@commission.demo"])}
	auditor := login(t, base, creds["auditor@commission.demo"])

	var shelterMe, officerMe struct {
		UserID string `json:"user_id"`
		OrgID  string `json:"org_id"`
	}
	j.do(200, "GET", "/api/v1/me", j.shelter, nil, &shelterMe)
	j.do(200, "GET", "/api/v1/me", j.officer, nil, &officerMe)
	j.do(200, "PUT", "/api/v1/providers/"+shelterMe.OrgID, j.sys, map[string]any{
		"name": "Demo shelter", "region": "MA-06", "regions": []string{"MA-06"}, "genders": []string{"female"},
		"accepts_adults": true, "accepts_dependants": true, "languages": []string{"en", "fr", "ar"},
		"availability": "24/7", "active": true, "services": []map[string]any{{"service": "shelter", "places": 5}},
	}, nil)

	// Register, refer, accept (referral calls intake's grants over mutual
	// TLS for the user), and the shelter reads the granted section.
	person := j.register("splitJ01", "en")
	var ref struct{ ID string }
	j.do(201, "POST", "/api/v1/referrals", j.officer, map[string]any{
		"case_id": person, "service": "shelter", "urgency": "emergency", "candidates": []string{shelterMe.OrgID}}, &ref)
	j.do(200, "POST", "/api/v1/referrals/"+ref.ID+"/accept", j.shelter, nil, nil)
	var granted struct {
		Sections map[string]json.RawMessage `json:"sections"`
	}
	j.do(200, "GET", "/api/v1/cases/"+person, j.shelter, nil, &granted)
	if !strings.Contains(string(granted.Sections["identity"]), "Name splitJ01") || granted.Sections["health"] != nil {
		t.Fatalf("the shelter reads %+v: want the identity section it was granted, and not health", granted)
	}

	// Decide.
	j.do(200, "POST", "/api/v1/cases/"+person+"/submit", j.officer, nil, nil)
	j.do(200, "POST", "/api/v1/cases/"+person+"/transitions", j.dm1,
		map[string]string{"to": "rg_positive", "reason": "Indicators splitRG"}, nil)

	// The grant referral asked intake for is the officer's act in the
	// audit log, not the referral service's.
	grantEvent := waitAudit(t, base, auditor, "intake.grant.create", "")
	if grantEvent["actor_user"] != officerMe.UserID {
		t.Fatalf("grant made across services audited as %v, want the officer %s", grantEvent["actor_user"], officerMe.UserID)
	}

	// Revocations of referral grants cross on the outbox both ways, over
	// the internal listeners.
	splitGrantRevocations(t, j, shelterMe.OrgID)

	// Statistics, fed by intake's outbox through stats' internal listener.
	j.statisticsFigure(time.Now().UTC().Format("2006-01"), func(round int) {
		for i := range 5 {
			id := j.register(fmt.Sprintf("splitS%d%d", round, i), "en")
			j.do(200, "POST", "/api/v1/cases/"+id+"/submit", j.officer, nil, nil)
			j.do(200, "POST", "/api/v1/cases/"+id+"/transitions", j.dm1, map[string]string{"to": "rg_positive", "reason": "Indicators"}, nil)
		}
	})

	t.Run("seams", func(t *testing.T) { splitSeams(t, d, j.officer, auditor, base, person) })

	t.Run("replica killed under load", func(t *testing.T) { splitKillReplica(t, d, d.ingressWith(false), j.officer) })

	// The audit log verifies.
	if out, err := exec.Command(d.bin, "audit", "verify", "--database-url", d.dbURL, "--keys", filepath.Join(filepath.Dir(d.keys), "keys-audit")).CombinedOutput(); err != nil {
		t.Fatalf("nrm audit verify: %v: %s", err, out)
	}

	// Without identity, no service can check a token: their readiness
	// says so (the peer's breaker open, or its readiness unanswered).
	d.procs["identity"][0].kill(t)
	for _, p := range []*proc{d.procs["referral"][0], d.procs["intake"][0], d.procs["stats"][0]} {
		notReady := false
		for range 200 {
			resp, err := http.Get(p.base + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 503 {
					notReady = true
					break
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !notReady {
			t.Errorf("%s still ready with identity gone", p.name)
		}
	}
}

// splitKillReplica registers cases through the ingress from four clients
// and kills one intake replica with SIGKILL midway: every registration
// acknowledged (201) is there afterwards, read through the survivor.
func splitKillReplica(t *testing.T, d *splitDeployment, base, officer string) {
	var (
		mu    sync.Mutex
		acked []string
		fails atomic.Int32
		stop  atomic.Bool
		wg    sync.WaitGroup
	)
	hc := &http.Client{Timeout: 20 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				time.Sleep(20 * time.Millisecond) // within the officer's rate limit
				r := minimalRegistration(fmt.Sprintf("kill%d_%d", w, i))
				delete(r, "identity") // no duplicate check, which is limited per user
				b, _ := json.Marshal(r)
				req, _ := http.NewRequest("POST", base+"/api/v1/cases", strings.NewReader(string(b)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+officer)
				resp, err := hc.Do(req)
				if err != nil {
					fails.Add(1)
					continue
				}
				var c struct{ ID string }
				ok := resp.StatusCode == 201 && json.NewDecoder(resp.Body).Decode(&c) == nil && c.ID != ""
				resp.Body.Close()
				if !ok {
					fails.Add(1)
					continue
				}
				mu.Lock()
				acked = append(acked, c.ID)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second)
	d.procs["intake"][1].kill(t)
	time.Sleep(time.Second)
	stop.Store(true)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	survivor := d.procs["intake"][0].base
	// The officer's cases, page by page, from the survivor.
	have := map[string]bool{}
	for after := ""; ; {
		var page struct {
			Cases []struct{ ID string } `json:"cases"`
			Next  string                `json:"next"`
		}
		q := url.Values{"limit": {"200"}}
		if after != "" {
			q.Set("after", after)
		}
		st, b := call(t, "GET", survivor+"/api/v1/cases?"+q.Encode(), officer, nil)
		if st == 429 { // the load spent the officer's allowance
			time.Sleep(time.Second)
			continue
		}
		if st != 200 || json.Unmarshal(b, &page) != nil {
			t.Fatalf("listing cases: %d %s", st, b)
		}
		for _, c := range page.Cases {
			have[c.ID] = true
		}
		if after = page.Next; after == "" {
			break
		}
	}
	lost := 0
	for _, id := range acked {
		if !have[id] {
			lost++
		}
	}
	t.Logf("registrations acknowledged %d, failed during the kill %d, acknowledged and lost %d", len(acked), fails.Load(), lost)
	if lost != 0 || len(acked) == 0 {
		t.Fatalf("%d of %d acknowledged registrations lost", lost, len(acked))
	}
}

// waitAudit waits for an audit event of action (and outcome, if given)
// and returns the latest.
func waitAudit(t *testing.T, base, auditor, action, outcome string) map[string]any {
	t.Helper()
	q := url.Values{"action": {action}}
	if outcome != "" {
		q.Set("outcome", outcome)
	}
	for range 100 {
		var page struct {
			Events []map[string]any `json:"events"`
		}
		st, b := call(t, "GET", base+"/api/v1/audit/events?"+q.Encode(), auditor, nil)
		if st != 200 {
			t.Fatalf("audit events: %d %s", st, b)
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Events) > 0 {
			return page.Events[len(page.Events)-1]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no audit event %s %s", action, outcome)
	return nil
}

// splitSeams attacks the internal listeners.
func splitSeams(t *testing.T, d *splitDeployment, officer, auditor, base, caseID string) {
	intakeAddr := d.internal["intake"][0]
	as := func(service string) *http.Client {
		id, err := mtls.Load(d.certs, []string{service})
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: id.ClientConfig("intake")}}
	}
	get := func(hc *http.Client, u, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = fmt.Fprint(&b, resp.Status)
		return resp.StatusCode, b.String()
	}
	summary := "https://" + intakeAddr + "/internal/v1/intake/summary?case_id=" + caseID

	// Referral's certificate, for the officer: answered.
	if st, s := get(as("referral"), summary, officer); st != 200 {
		t.Fatalf("referral asking intake for the officer: %s", s)
	}
	// Statistics' certificate, for the same officer: refused, and the
	// officer's denied call is in the audit log.
	if st, s := get(as("stats"), summary, officer); st != 403 {
		t.Fatalf("stats presenting its certificate to intake's referral call: %s, want 403", s)
	}
	denied := waitAudit(t, base, auditor, "internal.intake_summary", "denied")
	var me struct {
		UserID string `json:"user_id"`
	}
	if st, b := call(t, "GET", base+"/api/v1/me", officer, nil); st != 200 || json.Unmarshal(b, &me) != nil || denied["actor_user"] != me.UserID {
		t.Fatalf("refused call audited as %v, want the officer (%d %s)", denied["actor_user"], st, b)
	}
	// A user token where only the calling service may call.
	idAddr := d.internal["identity"][0]
	hcRef := func() *http.Client {
		id, _ := mtls.Load(d.certs, []string{"referral"})
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: id.ClientConfig("identity")}}
	}()
	if st, s := get(hcRef, "https://"+idAddr+"/internal/v1/identity/orgs", officer); st != 403 {
		t.Fatalf("a user token on identity's internal directory: %s, want 403", s)
	}
	if st, s := get(hcRef, "https://"+idAddr+"/internal/v1/identity/orgs", ""); st != 200 {
		t.Fatalf("referral reading identity's directory: %s", s)
	}
	// No client certificate: the handshake fails.
	pool, _ := mtls.Load(d.certs, []string{"referral"})
	plain := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pool.ClientConfig("intake").RootCAs, ServerName: mtls.DNSName("intake")}}}
	if resp, err := plain.Get(summary); err == nil {
		resp.Body.Close()
		t.Fatalf("a caller without a certificate was answered %s", resp.Status)
	}
	// The public listener has no internal routes.
	if st, b := call(t, "GET", d.procs["intake"][0].base+"/internal/v1/intake/summary?case_id="+caseID, officer, nil); st != 404 {
		t.Fatalf("internal route on the public listener: %d %s", st, b)
	}

	// PostgreSQL itself refuses statistics' login role intake's tables.
	statsRole, err := db.RoleName(d.dbURL, "stats")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(d.dbURL)
	u.User = url.User(statsRole)
	conn, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	err = conn.QueryRowContext(context.Background(), `SELECT count(*) FROM intake.cases`).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("stats' role reading intake.cases: %v (%d rows), want permission denied", err, n)
	}
}

// splitGrantRevocations: a decline in referral revokes intake's grant;
// consent withdrawn in intake shows on the referral as the grant revoked.
func splitGrantRevocations(t *testing.T, j *journey, shelterOrg string) {
	t.Helper()
	refer := func(marker string) (string, string) {
		c := j.register(marker, "en")
		var r struct{ ID string }
		j.do(201, "POST", "/api/v1/referrals", j.officer, map[string]any{
			"case_id": c, "service": "shelter", "urgency": "emergency", "candidates": []string{shelterOrg}}, &r)
		return c, r.ID
	}
	declined, r := refer("splitG01")
	j.do(200, "POST", "/api/v1/referrals/"+r+"/decline", j.shelter, map[string]any{"reason": "no_capacity"}, nil)
	deadline := time.Now().Add(time.Minute)
	for {
		var gs struct {
			Grants []struct{ Status string }
		}
		j.do(200, "GET", "/api/v1/cases/"+declined+"/grants", j.officer, nil, &gs)
		if len(gs.Grants) == 1 && gs.Grants[0].Status == "revoked" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("intake's grant after the decline: %+v", gs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	withdrawn, r := refer("splitG02")
	j.do(200, "POST", "/api/v1/referrals/"+r+"/accept", j.shelter, nil, nil)
	j.do(201, "POST", "/api/v1/cases/"+withdrawn+"/consents", j.officer,
		map[string]any{"assistance": true, "nrm_referral": true, "data_sharing": false}, nil)
	waitForGrantState(t, j.base, j.shelter, r, "consent_withdrawn")
}
