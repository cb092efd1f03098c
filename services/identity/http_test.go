package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit/contract"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// server serves env's service over HTTP with real token verification.
func server(t testing.TB, env *identitytest.Env) (*httptest.Server, *auth.RevocationList) {
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
	mux := http.NewServeMux()
	mux.Handle("/api/", contract.Handler(t, identity.MakeHTTPHandler(eps, log.NewNopLogger())))
	mux.Handle("/internal/", identity.MakeInternalHandler(eps, log.NewNopLogger()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, rl
}

type apiResult struct {
	status int
	code   string
	body   map[string]any
}

func call(t testing.TB, srv *httptest.Server, token, method, path string, body any) apiResult {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResult{status: resp.StatusCode}
	_ = json.Unmarshal(raw, &r.body)
	if e, ok := r.body["error"].(map[string]any); ok {
		r.code, _ = e["code"].(string)
	}
	return r
}

// TestAuthorizationTable is written by hand: one expected status per role,
// endpoint and relation to the target (own or other organisation).
func TestAuthorizationTable(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	srv, _ := server(t, env)
	own := env.Org(t, "Own", "police")
	other := env.Org(t, "Other", "ngo")
	// Each role sits in an organisation whose kind may hold it; the
	// administrators in "own".
	homes := map[string]identity.Org{
		auth.RoleFrontlineOfficer: own, auth.RoleOrgAdmin: own,
		auth.RoleNGOCaseworker: env.Org(t, "Shelter", "ngo"), auth.RoleGuardian: env.Org(t, "Child protection", "social_services"),
		auth.RoleCoordinator: env.Org(t, "Desk", "competent_authority"), auth.RoleDecisionMaker: env.Org(t, "Authority", "competent_authority"),
		auth.RoleCommissionAnalyst: env.Org(t, "Commission", "commission"), auth.RoleAuditor: env.Org(t, "Oversight", "oversight"),
		auth.RoleSystemAdmin: env.Org(t, "Operator", "commission"),
	}
	tokens := map[string]string{}
	for _, r := range auth.AllRoles {
		u := env.User(t, homes[r].ID, r+"@own.example.org", r)
		tokens[r] = env.Login(t, u).AccessToken
	}
	n := 0
	target := func(org identity.Org) string {
		n++
		return env.User(t, org.ID, "target"+string(rune('a'+n%26))+strings.Repeat("x", n/26)+"@example.org", auth.RoleFrontlineOfficer).ID
	}
	newUser := func(org identity.Org) map[string]any {
		n++
		return map[string]any{"org_id": org.ID, "email": "new" + strings.Repeat("n", n) + "@example.org",
			"display_name": "New", "roles": []string{"frontline_officer"}, "password": identitytest.Password}
	}
	type request struct {
		method string
		path   func() string
		body   func() any
	}
	reqs := map[string]request{
		"create org":         {"POST", func() string { return "/api/v1/orgs" }, func() any { return map[string]any{"name": "N", "kind": "ngo"} }},
		"list orgs":          {"GET", func() string { return "/api/v1/orgs" }, nil},
		"create user own":    {"POST", func() string { return "/api/v1/users" }, func() any { return newUser(own) }},
		"create user other":  {"POST", func() string { return "/api/v1/users" }, func() any { return newUser(other) }},
		"list users own":     {"GET", func() string { return "/api/v1/users?org_id=" + own.ID }, nil},
		"list users other":   {"GET", func() string { return "/api/v1/users?org_id=" + other.ID }, nil},
		"disable user own":   {"POST", func() string { return "/api/v1/users/" + target(own) + "/disable" }, nil},
		"disable user other": {"POST", func() string { return "/api/v1/users/" + target(other) + "/disable" }, nil},
		"me":                 {"GET", func() string { return "/api/v1/me" }, nil},
		"keys":               {"GET", func() string { return "/api/v1/auth/keys" }, nil},
	}
	// Columns follow auth.AllRoles: frontline_officer, ngo_caseworker,
	// coordinator, decision_maker, guardian, commission_analyst, auditor,
	// org_admin, system_admin; the last column is without a token.
	table := []struct {
		endpoint string
		want     [10]int
	}{
		{"create org", [10]int{403, 403, 403, 403, 403, 403, 403, 403, 201, 401}},
		{"list orgs", [10]int{403, 403, 403, 403, 403, 403, 403, 200, 200, 401}},
		{"create user own", [10]int{403, 403, 403, 403, 403, 403, 403, 201, 201, 401}},
		{"create user other", [10]int{403, 403, 403, 403, 403, 403, 403, 404, 201, 401}},
		{"list users own", [10]int{403, 403, 403, 403, 403, 403, 403, 200, 200, 401}},
		{"list users other", [10]int{403, 403, 403, 403, 403, 403, 403, 404, 200, 401}},
		{"disable user own", [10]int{403, 403, 403, 403, 403, 403, 403, 204, 204, 401}},
		{"disable user other", [10]int{403, 403, 403, 403, 403, 403, 403, 404, 204, 401}},
		{"me", [10]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 401}},
		{"keys", [10]int{200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	}
	callers := append(append([]string{}, auth.AllRoles...), "anonymous")
	for _, row := range table {
		for i, role := range callers {
			t.Run(row.endpoint+"/"+role, func(t *testing.T) {
				rq := reqs[row.endpoint]
				var body any
				if rq.body != nil {
					body = rq.body()
				}
				got := call(t, srv, tokens[role], rq.method, rq.path(), body)
				if got.status != row.want[i] {
					t.Fatalf("%s as %s: status %d (%s), want %d", row.endpoint, role, got.status, got.code, row.want[i])
				}
			})
		}
	}
	t.Run("org_admin lists only own organisation", func(t *testing.T) {
		got := call(t, srv, tokens[auth.RoleOrgAdmin], "GET", "/api/v1/orgs", nil)
		orgs, _ := got.body["orgs"].([]any)
		if len(orgs) != 1 || orgs[0].(map[string]any)["id"] != own.ID {
			t.Fatalf("org_admin sees %v", got.body)
		}
	})
	t.Run("org_admin cannot create a system administrator", func(t *testing.T) {
		b := newUser(own)
		b["roles"] = []string{"system_admin"}
		if got := call(t, srv, tokens[auth.RoleOrgAdmin], "POST", "/api/v1/users", b); got.status != 403 {
			t.Fatalf("status %d", got.status)
		}
	})
	t.Run("denials are audited", func(t *testing.T) {
		ev := auditEvents(t, env)
		var forbidden, hidden bool
		for _, e := range ev {
			if e.Outcome != event.Denied {
				continue
			}
			forbidden = forbidden || (e.Action == "identity.users.create" && e.ActorRole == auth.RoleFrontlineOfficer)
			hidden = hidden || (e.Action == "identity.user.disable" && e.ActorRole == auth.RoleOrgAdmin)
		}
		if !forbidden || !hidden {
			t.Fatalf("denials not audited: forbidden=%v hidden=%v", forbidden, hidden)
		}
	})
	t.Run("logout", func(t *testing.T) {
		for _, role := range auth.AllRoles {
			if got := call(t, srv, tokens[role], "POST", "/api/v1/auth/logout", nil); got.status != 204 {
				t.Errorf("logout as %s: %d", role, got.status)
			}
		}
		if got := call(t, srv, "", "POST", "/api/v1/auth/logout", nil); got.status != 401 {
			t.Errorf("anonymous logout: %d", got.status)
		}
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	srv, _ := server(t, env)
	own := env.Org(t, "Own", "police")
	admin := env.User(t, env.Org(t, "Commission", "commission").ID, "admin@example.org", auth.RoleSystemAdmin)
	tok := env.Login(t, admin).AccessToken
	env.User(t, own.ID, "taken@example.org", auth.RoleFrontlineOfficer)
	user := func(m func(map[string]any)) map[string]any {
		b := map[string]any{"org_id": own.ID, "email": "fresh@example.org", "display_name": "Fresh",
			"roles": []string{"frontline_officer"}, "password": identitytest.Password}
		m(b)
		return b
	}
	sql := `'; DROP TABLE users; --`
	tests := []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"malformed JSON", "/api/v1/users", `{"email":`, 400, "invalid_json"},
		{"two objects", "/api/v1/users", `{}{}`, 400, "invalid_json"},
		{"unknown field", "/api/v1/users", user(func(b map[string]any) { b["is_admin"] = true }), 400, "unknown_field"},
		{"2 MiB body", "/api/v1/users", `{"display_name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "body_too_large"},
		{"wrong type", "/api/v1/users", user(func(b map[string]any) { b["roles"] = "auditor" }), 400, "invalid_type"},
		{"not an object", "/api/v1/users", `[1,2]`, 400, "invalid_type"},
		{"unknown role", "/api/v1/users", user(func(b map[string]any) { b["roles"] = []string{"root"} }), 400, "validation_failed"},
		{"duplicate email", "/api/v1/users", user(func(b map[string]any) { b["email"] = "Taken@Example.org" }), 409, "email_taken"},
		{"SQL in org_id", "/api/v1/users", user(func(b map[string]any) { b["org_id"] = sql }), 400, "validation_failed"},
		{"SQL in roles", "/api/v1/users", user(func(b map[string]any) { b["roles"] = []string{sql} }), 400, "validation_failed"},
		{"SQL in email", "/api/v1/users", user(func(b map[string]any) { b["email"] = sql }), 400, "validation_failed"},
		{"SQL in password", "/api/v1/users", user(func(b map[string]any) { b["password"] = "x'--" }), 400, "validation_failed"},
		{"SQL in display name, short password", "/api/v1/users", user(func(b map[string]any) { b["display_name"] = sql; b["password"] = "short" }), 400, "validation_failed"},
		{"unknown kind", "/api/v1/orgs", map[string]any{"name": "X", "kind": "militia"}, 400, "validation_failed"},
		{"SQL in kind", "/api/v1/orgs", map[string]any{"name": "X", "kind": sql}, 400, "validation_failed"},
		{"SQL in region", "/api/v1/orgs", map[string]any{"name": "X", "kind": "ngo", "region": sql}, 400, "validation_failed"},
		{"login malformed", "/api/v1/auth/login", `{"email":1}`, 400, "invalid_type"},
		{"login unknown field", "/api/v1/auth/login", `{"email":"a@b.c","password":"x","otp":"1","admin":true}`, 400, "unknown_field"},
		{"login SQL", "/api/v1/auth/login", map[string]any{"email": sql, "password": sql, "otp": sql}, 401, "invalid_credentials"},
		{"refresh SQL", "/api/v1/auth/refresh", map[string]any{"refresh_token": sql}, 401, "invalid_credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			users, orgs, sessions := count(t, env, "users"), count(t, env, "orgs"), count(t, env, "sessions")
			got := call(t, srv, tok, "POST", tc.path, tc.body)
			if got.status != tc.status || got.code != tc.code {
				t.Fatalf("status %d code %q, want %d %q", got.status, got.code, tc.status, tc.code)
			}
			if count(t, env, "users") != users || count(t, env, "orgs") != orgs || count(t, env, "sessions") != sessions {
				t.Fatal("a refused request wrote rows")
			}
		})
	}
	t.Run("SQL metacharacters in free text are stored as data", func(t *testing.T) {
		got := call(t, srv, tok, "POST", "/api/v1/orgs", map[string]any{"name": sql, "kind": "ngo"})
		if got.status != 201 || got.body["name"] != sql {
			t.Fatalf("status %d body %v", got.status, got.body)
		}
		got = call(t, srv, tok, "POST", "/api/v1/users", user(func(b map[string]any) {
			b["display_name"], b["email"] = sql, "o'brien+x@example.org"
		}))
		if got.status != 201 || got.body["display_name"] != sql || got.body["otpauth_uri"] == "" {
			t.Fatalf("status %d body %v", got.status, got.body)
		}
	})
	t.Run("bad revocation cursor", func(t *testing.T) {
		if got := call(t, srv, "", "GET", "/internal/v1/identity/revocations?since=-1", nil); got.status != 400 {
			t.Fatalf("status %d", got.status)
		}
	})
}

// TestRevocationOverHTTP: a verifier in another process, polling identity
// over HTTP, refuses a logged-out session within seconds.
func TestRevocationOverHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		o := env.Org(t, "Social services", "social_services")
		u := env.User(t, o.ID, "social@example.org", auth.RoleGuardian)
		c, err := identity.NewClient(srv.URL, "", srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		rl := auth.NewRevocationList(identity.RevocationSource(c))
		rl.PollInterval = 50 * time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- rl.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		v := auth.NewVerifier(identity.KeySource(c), "nrm", rl, env.Clock.Now)

		env.Clock.Advance(31 * time.Second)
		tok, err := c.Login(context.Background(), identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: env.Code(t, u)})
		if err != nil {
			t.Fatal(err)
		}
		var p auth.Principal
		deadline := time.Now().Add(5 * time.Second)
		for p, err = v.Authenticate(context.Background(), tok.AccessToken); err != nil; p, err = v.Authenticate(context.Background(), tok.AccessToken) {
			if time.Now().After(deadline) {
				t.Fatalf("valid token refused: %v", err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		pctx := auth.WithPrincipal(context.Background(), p)
		me, err := c.Me(pctx)
		if err != nil || me.UserID != u.ID {
			t.Fatalf("me over HTTP = %+v, %v", me, err)
		}
		if err := c.Logout(pctx); err != nil {
			t.Fatal(err)
		}
		deadline = time.Now().Add(5 * time.Second)
		for {
			if _, err := v.Authenticate(context.Background(), tok.AccessToken); err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("revoked session still accepted after 5s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := c.Refresh(context.Background(), tok.RefreshToken); err == nil {
			t.Fatal("refresh of a logged-out session succeeded")
		}
	})
}
