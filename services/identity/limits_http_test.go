package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/kit/contract"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// clientHeader lets a test speak from many client addresses through one
// test server (the handler under test never reads it).
const clientHeader = "X-Test-Client"

func limitServer(t *testing.T, env *identitytest.Env) *httptest.Server {
	t.Helper()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	rl := auth.NewRevocationList(identity.RevocationSource(env.Service))
	if err := rl.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	v := auth.NewVerifier(identity.KeySource(env.Service), "nrm", rl, env.Clock.Now)
	eps := identity.MakeServerEndpoints(env.Service, auth.Middleware(v), enf, identity.NewDenialRecorder(env.DB, env.Keys))
	h := identity.MakeHTTPHandler(eps, log.NewNopLogger())
	srv := httptest.NewServer(contract.Handler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get(clientHeader); a != "" {
			r = r.WithContext(kit.WithClientAddr(r.Context(), a))
		}
		h.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)
	return srv
}

type limitReply struct {
	status     int
	limit      string
	message    string
	retryAfter int // the body's retry_after
	header     string
}

type limitRequest struct {
	path, token, client string
	body                any
}

func send(t *testing.T, srv *httptest.Server, r limitRequest) limitReply {
	t.Helper()
	b, _ := json.Marshal(r.body)
	req, err := http.NewRequest(http.MethodPost, srv.URL+r.path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.client != "" {
		req.Header.Set(clientHeader, r.client)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct {
			Message    string `json:"message"`
			Limit      string `json:"limit"`
			RetryAfter int    `json:"retry_after"`
		} `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return limitReply{status: resp.StatusCode, limit: body.Error.Limit, message: body.Error.Message,
		retryAfter: body.Error.RetryAfter, header: resp.Header.Get("Retry-After")}
}

// failures sends next(i) until n of them have failed without a 429,
// waiting out every 429 on the clock by its Retry-After, and then returns
// the answer to one more request.
func failures(t *testing.T, env *identitytest.Env, srv *httptest.Server, n int, next func(i int) limitRequest) limitReply {
	t.Helper()
	for i, guard := 0, 0; i < n; guard++ {
		if guard > 1000 {
			t.Fatalf("%d failures never counted", n)
		}
		r := send(t, srv, next(i))
		switch r.status {
		case http.StatusTooManyRequests:
			s, err := strconv.Atoi(r.header)
			if err != nil {
				t.Fatalf("Retry-After %q", r.header)
			}
			env.Clock.Advance(time.Duration(s) * time.Second)
		case http.StatusOK, http.StatusNoContent:
			t.Fatalf("request %d succeeded", i)
		default:
			i++
		}
	}
	return send(t, srv, next(n))
}

// TestEveryLimitNamesItselfAndItsWait replays each throttle of identity
// over HTTP up to its refusal: the 429 names the limit reached, and its
// Retry-After (header and body) is the real wait, which can be minutes.
func TestEveryLimitNamesItselfAndItsWait(t *testing.T) {
	t.Parallel()
	const password = "correct horse battery staple"
	wrongLogin := func(email string) func(int) limitRequest {
		return func(int) limitRequest {
			return limitRequest{path: "/api/v1/auth/login", client: "192.0.2.1",
				body: identity.LoginRequest{Email: email, Password: "wrong wrong wrong", OTP: "123456"}}
		}
	}
	cases := []struct {
		name  string
		run   func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply
		limit string
		wait  int // seconds
	}{
		{"one known account from one address, after 9 failures", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			return failures(t, env, srv, 9, wrongLogin(u.Email))
		}, "login_failures_account", 64},
		{"one unknown account from one address, after 9 failures", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			return failures(t, env, srv, 9, wrongLogin("nobody@example.org"))
		}, "login_failures_account", 64},
		{"many accounts from one address, after 26 failures", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			return failures(t, env, srv, 26, func(i int) limitRequest {
				return wrongLogin(fmt.Sprintf("guess%d@example.org", i))(i)
			})
		}, "login_failures_address", 60},
		{"wrong codes from ever new addresses, after 8", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			env.Clock.Advance(time.Hour)
			wrong := env.Code(t, u)
			env.Clock.Advance(-time.Hour)
			return failures(t, env, srv, 8, func(i int) limitRequest {
				return limitRequest{path: "/api/v1/auth/login", client: fmt.Sprintf("198.51.100.%d", i),
					body: identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: wrong}}
			})
		}, "second_factor_failures", 8},
		{"wrong current password, after 5", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			tok := env.Login(t, u)
			return failures(t, env, srv, 5, func(int) limitRequest {
				return limitRequest{path: "/api/v1/me/password", token: tok.AccessToken, client: "192.0.2.1",
					body: identity.PasswordChange{CurrentPassword: "wrong wrong wrong", NewPassword: password, OTP: "123456"}}
			})
		}, "login_failures_account", 4},
		{"bad password-reset tokens, after 5", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			return failures(t, env, srv, 5, func(i int) limitRequest {
				return limitRequest{path: "/api/v1/auth/password-reset", client: "192.0.2.1",
					body: identity.PasswordResetRequest{Token: fmt.Sprintf("guess-%d", i), NewPassword: password}}
			})
		}, "password_reset", 4},
		{"bad refresh tokens, after 5", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			return failures(t, env, srv, 5, func(i int) limitRequest {
				return limitRequest{path: "/api/v1/auth/refresh", client: "192.0.2.1",
					body: map[string]string{"refresh_token": fmt.Sprintf("guess-%d", i)}}
			})
		}, "refresh_failures", 4},
		{"a fifth login queued for hashing from one address", func(t *testing.T, env *identitytest.Env, srv *httptest.Server, u identitytest.User) limitReply {
			queued, release := identity.HoldHashing(env.Service, time.Minute)
			var wg sync.WaitGroup
			t.Cleanup(wg.Wait)
			t.Cleanup(release)
			login := wrongLogin("queued@example.org")
			for i := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := login(i)
					r.body = identity.LoginRequest{Email: fmt.Sprintf("queued%d@example.org", i), Password: "x"}
					send(t, srv, r)
				}()
			}
			for queued("192.0.2.1") < 4 {
				runtime.Gosched()
			}
			return send(t, srv, login(4))
		}, "hashing_queue", 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := identitytest.New(t, dbtest.SQLite(t))
			env.Clock.Freeze()
			o := env.Org(t, "Police", "police")
			u := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
			srv := limitServer(t, env)
			r := c.run(t, env, srv, u)
			if r.status != http.StatusTooManyRequests || r.limit != c.limit {
				t.Fatalf("got %d limit %q (%s), want 429 limit %q", r.status, r.limit, r.message, c.limit)
			}
			if r.header != strconv.Itoa(c.wait) || r.retryAfter != c.wait {
				t.Fatalf("Retry-After %q, retry_after %d, want %d s", r.header, r.retryAfter, c.wait)
			}
		})
	}
}

// TestLimitSameForUnknownAccount: the throttle's answer tells nothing of
// whether an email has an account.
func TestLimitSameForUnknownAccount(t *testing.T) {
	t.Parallel()
	replies := map[string]limitReply{}
	for _, email := range []string{"officer@example.org", "nobody@example.org"} {
		env := identitytest.New(t, dbtest.SQLite(t))
		env.Clock.Freeze()
		o := env.Org(t, "Police", "police")
		env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
		srv := limitServer(t, env)
		replies[email] = failures(t, env, srv, 6, func(int) limitRequest {
			return limitRequest{path: "/api/v1/auth/login", client: "192.0.2.1",
				body: identity.LoginRequest{Email: email, Password: "wrong wrong wrong", OTP: "123456"}}
		})
	}
	if replies["officer@example.org"] != replies["nobody@example.org"] {
		t.Fatalf("known %+v, unknown %+v", replies["officer@example.org"], replies["nobody@example.org"])
	}
}
