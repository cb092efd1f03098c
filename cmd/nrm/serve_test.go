package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit/contract"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type server struct {
	base   string
	stdout *syncBuffer
	stderr *syncBuffer
	stop   func() int
}

// startServer runs `nrm serve` in-process on a free port until the test
// ends. A fresh embedded store (--data naming a directory that does not
// exist yet, no --database-url) starts from databases migrated once for
// the package, as dbtest gives every other test: migrating every service
// for every server was a quarter of the package's CPU. serve then finds
// nothing to apply. startServerFresh leaves the migration to serve.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	if dir := flagValue(args, "--data"); dir != "" && flagValue(args, "--database-url") == "" {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			migratedStore(t, dir)
		}
	}
	return startServerFresh(t, args...)
}

// flagValue is the value of the command-line flag name in args, or "".
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// startServerFresh runs `nrm serve` in-process on a free port until the
// test ends, migrating its storage itself.
func startServerFresh(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	// Tests run side by side under the race detector on a shared machine,
	// many times slower than production: a request's budget is a minute
	// unless the test sets its own.
	if !slices.Contains(args, "--request-timeout") {
		args = append([]string{"--request-timeout", "60s"}, args...)
	}
	go func() {
		// Tests run side by side: each metrics listener on a port of its own.
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, args...), nil, s.stdout, s.stderr)
	}()
	var once sync.Once
	code := -1
	s.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(60 * time.Second):
				t.Error("server did not stop")
			}
		})
		return code
	}
	t.Cleanup(func() { s.stop() })
	re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			s.base = contractFront(t, m[1])
			return s
		}
		select {
		case c := <-done:
			t.Fatalf("server exited with %d: %s", c, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start: %s", s.stderr.String())
	return nil
}

// contractFront puts a proxy in front of the server at base that checks
// every exchange of the test against openapi.yaml, and returns its address.
func contractFront(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(contract.Handler(t, httputil.NewSingleHostReverseProxy(u)))
	t.Cleanup(front.Close)
	return front.URL
}

type demoCredential struct{ email, password, secret string }

// demoCredentials parses what --demo printed.
func demoCredentials(t *testing.T, out string) map[string]demoCredential {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+(\S+)\s+password (\S+)\s+id \S+\n\s+totp (otpauth://\S+)`)
	creds := map[string]demoCredential{}
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		u, err := url.Parse(m[4])
		if err != nil {
			t.Fatal(err)
		}
		creds[m[1]] = demoCredential{email: m[1], password: m[3], secret: u.Query().Get("secret")}
	}
	if len(creds) == 0 {
		t.Fatalf("no demo credentials in output:\n%s", out)
	}
	return creds
}

func call(t *testing.T, method, u, token string, body any) (int, []byte) {
	t.Helper()
	st, _, b := callWithHeader(t, method, u, token, body)
	return st, b
}

// login signs in with a fresh TOTP code. Codes are single-use: a second
// login in the same 30 s step presents the next step's code, which the
// server accepts as clock skew, and a third waits for the next step to
// present the one after.
// signInCode is c's TOTP code for sign-in attempt i (0, 1, 2). A code is
// single-use: the second attempt takes the next step's code (accepted one
// step early), the third waits for a new step.
func signInCode(t *testing.T, secret string, attempt int) string {
	t.Helper()
	at := time.Now()
	switch {
	case attempt == 1:
		at = at.Add(30 * time.Second)
	case attempt > 1:
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(31 * time.Second)))
		at = time.Now()
	}
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func login(t *testing.T, base string, c demoCredential) string {
	t.Helper()
	for i := range 3 {
		code := signInCode(t, c.secret, i)
		st, b := call(t, "POST", base+"/api/v1/auth/login", "", map[string]string{"email": c.email, "password": c.password, "otp": code})
		if st == http.StatusOK {
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
				t.Fatalf("login answer %s", b)
			}
			return tok.AccessToken
		}
		if st != http.StatusUnauthorized {
			t.Fatalf("login %s: %d %s", c.email, st, b)
		}
	}
	t.Fatalf("login %s kept failing", c.email)
	return ""
}

func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		root := t.TempDir()
		keysDir := filepath.Join(root, "keys")
		dataDir := filepath.Join(root, "data")
		args := []string{"--keys", keysDir, "--data", dataDir, "--demo"}
		if e.Name == db.Postgres {
			var out, errb syncBuffer
			if code := run(context.Background(), []string{"migrate", "--keys", keysDir, "--database-url", e.Config.URL}, nil, &out, &errb); code != 0 {
				t.Fatalf("migrate: %d %s", code, errb.String())
			}
			args = append(args, "--database-url", e.Config.URL)
		}
		// The README's first command: serve migrates the fresh store.
		s := startServerFresh(t, args...)
		creds := demoCredentials(t, s.stdout.String())

		// Readiness is a probe an orchestrator repeats: on a loaded machine
		// one check may miss its budget, so it is asked until it answers.
		waitReady(t, s.base)
		for _, p := range []string{"/healthz", "/openapi.yaml"} {
			if st, b := call(t, "GET", s.base+p, "", nil); st != 200 {
				t.Fatalf("GET %s: %d %s", p, st, b)
			}
		}
		// The API answers JSON; everything else is the pages'.
		if st, b := call(t, "GET", s.base+"/api/v1/no/such/route", "", nil); st != 404 || !strings.Contains(string(b), `"code":"not_found"`) {
			t.Fatalf("unknown API route: %d %s", st, b)
		}
		if st, b := call(t, "GET", s.base+"/no/such/route", "", nil); st != 404 || !strings.Contains(string(b), `<html lang="en"`) {
			t.Fatalf("unknown page: %d %s", st, b)
		}
		if st, b := call(t, "GET", s.base+"/", "", nil); st != 200 || !strings.Contains(string(b), `action="/signin"`) {
			t.Fatalf("the first page is not the sign-in page: %d %s", st, b)
		}
		if st, _ := call(t, "GET", s.base+"/api/v1/me", "", nil); st != 401 {
			t.Fatalf("me without a token: %d", st)
		}

		officer := login(t, s.base, creds["officer@police.demo"])
		st, b := call(t, "GET", s.base+"/api/v1/me", officer, nil)
		var me struct {
			UserID string   `json:"user_id"`
			Roles  []string `json:"roles"`
		}
		if st != 200 || json.Unmarshal(b, &me) != nil || len(me.Roles) != 1 || me.Roles[0] != "frontline_officer" {
			t.Fatalf("me: %d %s", st, b)
		}
		if st, _ := call(t, "POST", s.base+"/api/v1/orgs", officer, map[string]string{"name": "x", "kind": "ngo"}); st != 403 {
			t.Fatalf("officer creating an org: %d, want 403", st)
		}

		// The auditor finds the officer's login and denial in the log once
		// the outbox relay has delivered them.
		auditor := login(t, s.base, creds["auditor@commission.demo"])
		waitForEvents(t, s.base, auditor, "actor="+me.UserID, map[string]string{
			"identity.login": "allowed", "identity.orgs.create": "denied",
		})

		if st, _ = call(t, "GET", s.base+"/metrics", "", nil); st != 404 {
			t.Fatalf("metrics on the public listener: %d, want 404", st)
		}
		if code := s.stop(); code != 0 {
			t.Fatalf("serve exited with %d: %s", code, s.stderr.String())
		}

		// The log verifies after a clean shutdown.
		var out, errb syncBuffer
		verifyArgs := []string{"audit", "verify", "--keys", keysDir, "--data", dataDir}
		if e.Name == db.Postgres {
			verifyArgs = append(verifyArgs, "--database-url", e.Config.URL)
		}
		if code := run(context.Background(), verifyArgs, nil, &out, &errb); code != 0 {
			t.Fatalf("audit verify: %d %s %s", code, out.String(), errb.String())
		}
	})
}

func TestKeysInsideDataRefused(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	var out, errb syncBuffer
	code := run(context.Background(), []string{"serve", "--data", root, "--keys", filepath.Join(root, "keys"), "--addr", "127.0.0.1:0"}, nil, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "inside the data directory") {
		t.Fatalf("code %d, stderr %s", code, errb.String())
	}
}

func TestOrgsAndUsersAdd(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	common := []string{"--data", filepath.Join(root, "data"), "--keys", filepath.Join(root, "keys")}
	migratedStore(t, filepath.Join(root, "data"))
	var out, errb syncBuffer
	code := run(context.Background(), append([]string{"orgs", "add", "--name", "Test NGO", "--kind", "ngo", "--region", "MA-06"}, common...), nil, &out, &errb)
	if code != 0 {
		t.Fatalf("orgs add: %d %s", code, errb.String())
	}
	orgID := strings.TrimSpace(out.String())
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(orgID) {
		t.Fatalf("orgs add printed %q, want an id", orgID)
	}
	out, errb = syncBuffer{}, syncBuffer{}
	code = run(context.Background(), append([]string{"users", "add", "--org", orgID, "--email", "a@b.example", "--role", "ngo_caseworker", "--role", "org_admin"}, common...),
		strings.NewReader("a long enough password\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("users add: %d %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "otpauth://totp/") || !strings.HasPrefix(lines[2], "ticket ") {
		t.Fatalf("users add printed %q", out.String())
	}
	for name, args := range map[string][]string{
		"unknown kind": {"orgs", "add", "--name", "X", "--kind", "church"},
		"unknown role": {"users", "add", "--org", orgID, "--email", "c@d.example", "--role", "root"},
		"no org":       {"users", "add", "--email", "c@d.example", "--role", "auditor"},
	} {
		out, errb = syncBuffer{}, syncBuffer{}
		if code := run(context.Background(), append(args, common...), strings.NewReader("a long enough password\n"), &out, &errb); code == 0 {
			t.Errorf("%s: accepted: %s", name, out.String())
		}
	}
}

// On PostgreSQL the server starts before the schema exists, answers not
// ready, and becomes ready once `nrm migrate` has run, without a restart;
// it stays ready after its connections are killed.
func TestReadinessFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	root := t.TempDir()
	keysDir := filepath.Join(root, "keys")
	var out, errb syncBuffer
	// Only identity is migrated: the audit schema is missing.
	if err := db.Migrate(context.Background(), mustConfig(t, keysDir, e.Config.URL), "identity"); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--keys", keysDir, "--database-url", e.Config.URL)
	if st, b := call(t, "GET", s.base+"/readyz", "", nil); st != 503 || !strings.Contains(string(b), "db:audit") {
		t.Fatalf("readyz with the audit schema missing: %d %s", st, b)
	}
	if code := run(context.Background(), []string{"migrate", "--keys", keysDir, "--database-url", e.Config.URL}, nil, &out, &errb); code != 0 {
		t.Fatalf("migrate: %d %s", code, errb.String())
	}
	waitReady(t, s.base)

	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	waitReady(t, s.base)
	if st, b := call(t, "GET", s.base+"/api/v1/auth/login", "", nil); st != 405 || !strings.Contains(string(b), `"code":"method_not_allowed"`) {
		t.Fatalf("wrong method: %d %s", st, b)
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, b := call(t, "GET", base+"/readyz", "", nil)
		if st == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %d %s", st, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mustConfig returns the database configuration nrm itself would use for
// this key directory and URL.
func mustConfig(t *testing.T, keysDir, url string) db.Config {
	t.Helper()
	st := storage{keys: keysDir, databaseURL: url, data: filepath.Join(t.TempDir(), "unused")}
	_, cfg, err := st.open(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// waitForEvents polls the audit log (as an auditor) until it holds an
// event of each action with the given outcome.
func waitForEvents(t *testing.T, base, auditor, query string, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(want) > 0 {
		st, b := call(t, "GET", base+"/api/v1/audit/events?"+query, auditor, nil)
		var page struct {
			Events []struct {
				Action  string `json:"action"`
				Outcome string `json:"outcome"`
			} `json:"events"`
		}
		if st != 200 || json.Unmarshal(b, &page) != nil {
			t.Fatalf("audit events: %d %s", st, b)
		}
		for _, e := range page.Events {
			if want[e.Action] == e.Outcome {
				delete(want, e.Action)
			}
		}
		if len(want) > 0 && time.Now().After(deadline) {
			t.Fatalf("not in the audit log: %v (log has %s)", want, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Registrations arriving together reserve reference numbers ahead; a
// clean shutdown gives back the ones not used, so the year's counter ends
// at the last reference handed out.
func TestShutdownGivesBackReservedReferences(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
	s := startServer(t, "--keys", keysDir, "--data", dataDir, "--demo", "--rate-user", "1e6", "--duplicate-checks-per-minute", "10000")
	officer := login(t, s.base, demoCredentials(t, s.stdout.String())["officer@police.demo"])
	intakeDB, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "intake.db")+"?_pragma=busy_timeout(10000)&mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { intakeDB.Close() })
	counter := func() (last, highest int) {
		t.Helper()
		var ref string
		if err := intakeDB.QueryRow(`SELECT (SELECT last FROM reference_seq), (SELECT MAX(reference) FROM cases)`).Scan(&last, &ref); err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Sscanf(ref[len("NRM-2026-"):], "%d", &highest); err != nil {
			t.Fatalf("reference %q: %v", ref, err)
		}
		return last, highest
	}
	// Concurrent registrations until some group took numbers ahead.
	reserved := false
	for round := 0; round < 20 && !reserved; round++ {
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if st, b := call(t, "POST", s.base+"/api/v1/cases", officer, intaketest.Registration("Reserved Person")); st != http.StatusCreated {
					t.Errorf("register: %d %s", st, b)
				}
			})
		}
		wg.Wait()
		last, highest := counter()
		reserved = last > highest
	}
	if !reserved {
		t.Fatal("no group of registrations reserved numbers: the release would go untested")
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.stderr.String())
	}
	if last, highest := counter(); last != highest {
		t.Fatalf("counter %d after shutdown, want the highest reference handed out, %d", last, highest)
	}
}

// engineArgs returns a fresh key and data directory under root and the
// storage flags for engine e, migrating a PostgreSQL database first.
func engineArgs(t *testing.T, e dbtest.Engine) (root string, args []string) {
	t.Helper()
	root = t.TempDir()
	args = []string{"--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data")}
	migrated(t, e, filepath.Join(root, "data"))
	if e.Name == db.Postgres {
		args = append(args, "--database-url", e.Config.URL)
		var out, errb syncBuffer
		if code := run(context.Background(), append([]string{"migrate"}, args...), nil, &out, &errb); code != 0 {
			t.Fatalf("migrate: %s", errb.String())
		}
	}
	return root, args
}
