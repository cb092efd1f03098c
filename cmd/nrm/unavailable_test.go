package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// callWithHeader is call returning the answer's header too.
func callWithHeader(t *testing.T, method, u, token string, body any) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// holdWriteLock takes the write lock of an SQLite file from a connection
// of its own (as another process would) until the returned func runs.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			_ = tx.Rollback()
			other.Close()
		}
	}
	t.Cleanup(release)
	return release
}

// A request that finds its database locked by another process answers
// 503 with Retry-After once its budget is spent, instead of holding the
// client (it waited up to 20 s), and the same request succeeds once the
// lock is gone.
func TestLockedDatabaseAnswers503(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
	const budget = 3 * time.Second
	s := startServer(t, "--keys", keysDir, "--data", dataDir, "--demo", "--request-timeout", budget.String(), "--rate-user", "1e6")
	creds := demoCredentials(t, s.stdout.String())
	// On a loaded test machine under the race detector even a sign-in
	// may outrun a short budget: retried while it answers 503.
	var officer string
	for try := 0; officer == ""; try++ {
		code, err := totp.GenerateCode(creds["officer@police.demo"].secret, time.Now().Add(time.Duration(try)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		st, _, b := callWithHeader(t, "POST", s.base+"/api/v1/auth/login", "", map[string]string{
			"email": "officer@police.demo", "password": creds["officer@police.demo"].password, "otp": code})
		switch {
		case st == http.StatusOK:
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			_ = json.Unmarshal(b, &tok)
			officer = tok.AccessToken
		case st != http.StatusServiceUnavailable || try > 1:
			t.Fatalf("login: %d %s", st, b)
		}
	}
	analyst := creds["analyst@commission.demo"]

	tests := []struct {
		name, file string
		do         func() (int, http.Header, []byte)
		want       int
	}{
		{"registration", "intake.db", func() (int, http.Header, []byte) {
			return callWithHeader(t, "POST", s.base+"/api/v1/cases", officer, intaketest.Registration("Locked Person"))
		}, http.StatusCreated},
		{"login", "identity.db", func() (int, http.Header, []byte) {
			code, err := totp.GenerateCode(analyst.secret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return callWithHeader(t, "POST", s.base+"/api/v1/auth/login", "", map[string]string{"email": analyst.email, "password": analyst.password, "otp": code})
		}, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			release := holdWriteLock(t, filepath.Join(dataDir, tc.file))
			start := time.Now()
			st, h, b := tc.do()
			took := time.Since(start)
			if st != http.StatusServiceUnavailable {
				t.Fatalf("with %s locked: %d %s, want 503", tc.file, st, b)
			}
			var body struct {
				Error struct {
					Code       string `json:"code"`
					RetryAfter int    `json:"retry_after"`
				} `json:"error"`
			}
			if err := json.Unmarshal(b, &body); err != nil || body.Error.Code != "unavailable" || body.Error.RetryAfter < 1 {
				t.Fatalf("with %s locked: %s", tc.file, b)
			}
			if ra, err := strconv.Atoi(h.Get("Retry-After")); err != nil || ra < 1 {
				t.Fatalf("Retry-After %q", h.Get("Retry-After"))
			}
			if took > 3*budget {
				t.Errorf("answered after %v with a budget of %v", took, budget)
			}
			release()
			for try := 0; ; try++ {
				st, _, b := tc.do()
				if st == tc.want {
					break
				}
				if st != http.StatusServiceUnavailable || try > 3 {
					t.Fatalf("after the lock went: %d %s", st, b)
				}
			}
		})
	}
}

// While PostgreSQL refuses intake's connections (its role's connection
// limit at 0, as a server out of connection slots answers), a
// registration is 503 with Retry-After, not 500, and succeeds again once
// connections are allowed.
func TestDatabaseRefusingConnectionsAnswers503(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	_, args := engineArgs(t, e)
	s := startServer(t, append(args, "--demo", "--rate-user", "1e6")...)
	officer := login(t, s.base, demoCredentials(t, s.stdout.String())["officer@police.demo"])
	role, err := db.RoleName(e.Config.URL, "intake")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	exec := func(q string) {
		t.Helper()
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`ALTER ROLE "` + role + `" CONNECTION LIMIT 0`)
	// With a timeout the call waits for each backend to exit: without, a
	// pooled connection's backend still being signalled served the next
	// registration (201).
	exec(`SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE usename = '` + role + `'`)
	for i := range 3 {
		st, h, b := callWithHeader(t, "POST", s.base+"/api/v1/cases", officer, intaketest.Registration("Refused Person"))
		if st != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !bytes.Contains(b, []byte(`"unavailable"`)) {
			t.Fatalf("attempt %d with intake's connections refused: %d %s", i, st, b)
		}
	}
	exec(`ALTER ROLE "` + role + `" CONNECTION LIMIT -1`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, _, b := callWithHeader(t, "POST", s.base+"/api/v1/cases", officer, intaketest.Registration("Refused Person"))
		if st == http.StatusCreated {
			break
		}
		if st != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after connections came back: %d %s", st, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
