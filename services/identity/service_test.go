package identity_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

func count(t *testing.T, env *identitytest.Env, table string) int {
	t.Helper()
	var n int
	if err := env.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// auditEvents returns the audit events in the outbox, in order.
func auditEvents(t *testing.T, env *identitytest.Env) []event.Audit {
	t.Helper()
	rows, err := env.DB.QueryContext(context.Background(), `SELECT payload FROM outbox WHERE topic = 'audit' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []event.Audit
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		var e event.Audit
		if err := json.Unmarshal([]byte(p), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func hasEvent(events []event.Audit, action string, outcome event.Outcome, objectID string) bool {
	for _, e := range events {
		if e.Action == action && e.Outcome == outcome && (objectID == "" || e.ObjectID == objectID) {
			return true
		}
	}
	return false
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := kit.AsError(err).Code; got != code {
		t.Fatalf("error code %s (%v), want %s", got, err, code)
	}
}

func verifier(t *testing.T, env *identitytest.Env) (*auth.Verifier, *auth.RevocationList) {
	t.Helper()
	rl := auth.NewRevocationList(identity.RevocationSource(env.Service))
	if err := rl.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return auth.NewVerifier(identity.KeySource(env.Service), "nrm", rl, env.Clock.Now), rl
}

func TestCreateAndList(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		ctx := identitytest.System()
		o := env.Org(t, "Shelter '; DROP TABLE users; --", "ngo")
		u, uri, err := env.Service.CreateUser(ctx, identity.NewUser{
			OrgID: o.ID, Email: "  Officer.One@Example.ORG ", DisplayName: "Officer One",
			Roles: []string{auth.RoleFrontlineOfficer, auth.RoleNGOCaseworker, auth.RoleFrontlineOfficer}, Password: identitytest.Password,
		})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "officer.one@example.org" || u.Status != identity.StatusActive || len(u.Roles) != 2 {
			t.Errorf("user = %+v", u)
		}
		if !strings.HasPrefix(uri, "otpauth://totp/NRM:") || !strings.Contains(uri, "issuer=NRM") {
			t.Errorf("otpauth URI has the wrong shape")
		}
		orgs, err := env.Service.ListOrgs(ctx)
		if err != nil || len(orgs) != 1 || orgs[0].Name != o.Name || orgs[0].Region != "MA-06" {
			t.Fatalf("orgs = %+v, %v", orgs, err)
		}
		if !orgs[0].CreatedAt.Equal(o.CreatedAt) {
			t.Errorf("created_at round trip: %v != %v", orgs[0].CreatedAt, o.CreatedAt)
		}
		users, err := env.Service.ListUsers(ctx, o.ID)
		if err != nil || len(users) != 1 || users[0].ID != u.ID {
			t.Fatalf("users = %+v, %v", users, err)
		}
		ev := auditEvents(t, env)
		if !hasEvent(ev, "identity.org.create", event.Allowed, o.ID) || !hasEvent(ev, "identity.user.create", event.Allowed, u.ID) {
			t.Errorf("creation not audited: %+v", ev)
		}
		var stored []byte
		if err := env.DB.QueryRowContext(context.Background(), `SELECT totp_secret FROM users WHERE id = $1`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(stored), identitytest.Secret(t, uri)) {
			t.Error("TOTP secret stored in clear")
		}
	})
}

func TestValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		ctx := identitytest.System()
		o := env.Org(t, "Police", "police")
		env.User(t, o.ID, "taken@example.org", auth.RoleFrontlineOfficer)
		good := identity.NewUser{OrgID: o.ID, Email: "new@example.org", DisplayName: "New", Roles: []string{auth.RoleFrontlineOfficer}, Password: identitytest.Password}
		user := func(m func(*identity.NewUser)) identity.NewUser { u := good; m(&u); return u }
		userCases := []struct {
			name string
			in   identity.NewUser
			code string
		}{
			{"unknown role", user(func(u *identity.NewUser) { u.Roles = []string{"root"} }), kit.CodeValidation},
			{"no role", user(func(u *identity.NewUser) { u.Roles = nil }), kit.CodeValidation},
			{"bad email", user(func(u *identity.NewUser) { u.Email = "not-an-email" }), kit.CodeValidation},
			{"email with SQL", user(func(u *identity.NewUser) { u.Email = "x'or'1'='1@example.org" }), ""},
			{"long email", user(func(u *identity.NewUser) { u.Email = strings.Repeat("a", 300) + "@example.org" }), kit.CodeValidation},
			{"short password", user(func(u *identity.NewUser) { u.Password = "short" }), kit.CodeValidation},
			{"long name", user(func(u *identity.NewUser) { u.DisplayName = strings.Repeat("n", 201) }), kit.CodeValidation},
			{"control char in name", user(func(u *identity.NewUser) { u.DisplayName = "a\x00b" }), kit.CodeValidation},
			{"bad org id", user(func(u *identity.NewUser) { u.OrgID = "1 OR 1=1" }), kit.CodeValidation},
			{"unknown org", user(func(u *identity.NewUser) { u.OrgID = event.NewID() }), kit.CodeNotFound},
			{"duplicate email", user(func(u *identity.NewUser) { u.Email = "TAKEN@example.org" }), identity.CodeEmailTaken},
		}
		for _, tc := range userCases {
			t.Run(tc.name, func(t *testing.T) {
				before, beforeOutbox := count(t, env, "users"), count(t, env, "outbox")
				_, _, err := env.Service.CreateUser(ctx, tc.in)
				if tc.code == "" {
					if err != nil {
						t.Fatalf("SQL metacharacters are data, got %v", err)
					}
					return
				}
				wantCode(t, err, tc.code)
				if count(t, env, "users") != before || count(t, env, "outbox") != beforeOutbox {
					t.Error("a refused request wrote rows")
				}
			})
		}
		orgCases := []struct {
			name string
			in   identity.NewOrg
			want string
		}{
			{"unknown kind", identity.NewOrg{Name: "X", Kind: "militia"}, "ngo"},
			{"unknown region", identity.NewOrg{Name: "X", Kind: "ngo", Region: "MA-99"}, "abroad"},
			{"empty name", identity.NewOrg{Name: " ", Kind: "ngo"}, "name"},
		}
		for _, tc := range orgCases {
			t.Run(tc.name, func(t *testing.T) {
				before := count(t, env, "orgs")
				_, err := env.Service.CreateOrg(ctx, tc.in)
				wantCode(t, err, kit.CodeValidation)
				if !strings.Contains(kit.AsError(err).Message, tc.want) {
					t.Errorf("message %q does not name %q", kit.AsError(err).Message, tc.want)
				}
				if count(t, env, "orgs") != before {
					t.Error("a refused request wrote rows")
				}
			})
		}
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		o := env.Org(t, "Labour inspectorate", "labour_inspectorate")
		u := env.User(t, o.ID, "inspector@example.org", auth.RoleFrontlineOfficer)
		v, _ := verifier(t, env)
		ctx := kit.WithClientAddr(context.Background(), "192.0.2.10")

		failures := []struct {
			name string
			req  identity.LoginRequest
		}{
			{"wrong password", identity.LoginRequest{Email: u.Email, Password: "wrong password!!", OTP: env.Code(t, u)}},
			{"wrong code", identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: "000000"}},
			{"unknown email", identity.LoginRequest{Email: "nobody@example.org", Password: u.Password, OTP: env.Code(t, u)}},
			{"no code", identity.LoginRequest{Email: u.Email, Password: u.Password}},
		}
		for _, tc := range failures {
			t.Run(tc.name, func(t *testing.T) {
				_, err := env.Service.Login(ctx, tc.req)
				wantCode(t, err, identity.CodeInvalidCredentials)
			})
		}
		tok := env.Login(t, u)
		p, err := v.Authenticate(context.Background(), tok.AccessToken)
		if err != nil {
			t.Fatalf("issued token refused: %v", err)
		}
		if p.UserID != u.ID || p.OrgID != o.ID || p.SessionID != tok.SessionID || !p.HasRole(auth.RoleFrontlineOfficer) {
			t.Errorf("principal = %+v", p)
		}
		if tok.TokenType != "Bearer" || !tok.ExpiresAt.After(env.Clock.Now()) {
			t.Errorf("tokens = %+v", tok)
		}
		me, err := env.Service.Me(auth.WithPrincipal(context.Background(), p))
		if err != nil || me.Email != u.Email || me.OrgID != o.ID {
			t.Errorf("me = %+v, %v", me, err)
		}
		ev := auditEvents(t, env)
		if !hasEvent(ev, "identity.login", event.Allowed, u.ID) || !hasEvent(ev, "identity.login", event.Denied, u.ID) {
			t.Error("logins not audited")
		}
		for _, e := range ev {
			if b, _ := json.Marshal(e); strings.Contains(string(b), "inspector@") || strings.Contains(string(b), u.Password) {
				t.Fatalf("audit event carries personal data or secrets: %s", b)
			}
		}
	})
}

func TestTOTPReplayRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		o := env.Org(t, "Border", "border")
		u := env.User(t, o.ID, "border@example.org", auth.RoleFrontlineOfficer)
		req := identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: env.Code(t, u)}
		if _, err := env.Service.Login(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		_, err := env.Service.Login(context.Background(), req)
		wantCode(t, err, identity.CodeInvalidCredentials)
		// The previous step is within the skew window but older than the used one.
		env.Clock.Advance(-30 * time.Second)
		req.OTP = env.Code(t, u)
		_, err = env.Service.Login(context.Background(), req)
		wantCode(t, err, identity.CodeInvalidCredentials)
	})
}

func TestTamperedRowRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		o := env.Org(t, "NGO", "ngo")
		other := env.Org(t, "Other", "ngo")
		tampers := []struct {
			name, query string
			arg         string
		}{
			{"role added", `UPDATE users SET roles = $1 WHERE id = $2`, "frontline_officer,system_admin"},
			{"moved to another organisation", `UPDATE users SET org_id = $1 WHERE id = $2`, other.ID},
		}
		for i, tc := range tampers {
			t.Run(tc.name, func(t *testing.T) {
				u := env.User(t, o.ID, "tamper"+string(rune('a'+i))+"@example.org", auth.RoleFrontlineOfficer)
				env.Login(t, u) // the untouched row signs in
				if _, err := env.DB.ExecContext(context.Background(), tc.query, tc.arg, u.ID); err != nil {
					t.Fatal(err)
				}
				env.Clock.Advance(31 * time.Second)
				_, err := env.Service.Login(context.Background(), identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: env.Code(t, u)})
				wantCode(t, err, identity.CodeInvalidCredentials)
			})
		}
	})
}

func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		o := env.Org(t, "Health", "health")
		u := env.User(t, o.ID, "nurse@example.org", auth.RoleNGOCaseworker)
		v, rl := verifier(t, env)
		first := env.Login(t, u)
		second, err := env.Service.Refresh(context.Background(), first.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if second.SessionID != first.SessionID || second.RefreshToken == first.RefreshToken {
			t.Fatalf("refresh did not rotate within the session")
		}
		if _, err := v.Authenticate(context.Background(), second.AccessToken); err != nil {
			t.Fatalf("refreshed token refused: %v", err)
		}
		// The old refresh token again: treated as stolen, the session ends.
		_, err = env.Service.Refresh(context.Background(), first.RefreshToken)
		wantCode(t, err, identity.CodeInvalidCredentials)
		_, err = env.Service.Refresh(context.Background(), second.RefreshToken)
		wantCode(t, err, identity.CodeInvalidCredentials)
		if err := rl.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Authenticate(context.Background(), second.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Fatalf("token of a revoked session: err = %v", err)
		}
		_, err = env.Service.Refresh(context.Background(), "made-up-token")
		wantCode(t, err, identity.CodeInvalidCredentials)
		if !hasEvent(auditEvents(t, env), "identity.session.revoke", event.Allowed, first.SessionID) {
			t.Error("revocation not audited")
		}
	})
}

func TestLogoutAndDisableRevoke(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		o := env.Org(t, "Authority", "competent_authority")
		u := env.User(t, o.ID, "decisions@example.org", auth.RoleDecisionMaker)
		v, rl := verifier(t, env)
		a, b := env.Login(t, u), env.Login(t, u)
		if err := rl.Poll(context.Background()); err != nil { // the logins moved the clock
			t.Fatal(err)
		}
		pa, err := v.Authenticate(context.Background(), a.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Service.Logout(auth.WithPrincipal(context.Background(), pa)); err != nil {
			t.Fatal(err)
		}
		if err := rl.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Authenticate(context.Background(), a.AccessToken); err == nil {
			t.Fatal("token of a logged-out session accepted")
		}
		if _, err := v.Authenticate(context.Background(), b.AccessToken); err != nil {
			t.Fatalf("other session affected by logout: %v", err)
		}
		if err := env.Service.DisableUser(identitytest.System(), u.ID); err != nil {
			t.Fatal(err)
		}
		if err := rl.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Authenticate(context.Background(), b.AccessToken); err == nil {
			t.Fatal("token of a disabled user accepted")
		}
		env.Clock.Advance(31 * time.Second)
		_, err = env.Service.Login(context.Background(), identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: env.Code(t, u)})
		wantCode(t, err, identity.CodeInvalidCredentials)
		_, err = env.Service.Refresh(context.Background(), b.RefreshToken)
		wantCode(t, err, identity.CodeInvalidCredentials)
		ids, next, err := env.Service.RevokedSessions(context.Background(), 0)
		if err != nil || len(ids) != 2 || next != 2 {
			t.Fatalf("feed = %v next %d, %v", ids, next, err)
		}
		if ids, _, _ := env.Service.RevokedSessions(context.Background(), next); len(ids) != 0 {
			t.Errorf("feed after cursor = %v", ids)
		}
		if !hasEvent(auditEvents(t, env), "identity.logout", event.Allowed, a.SessionID) ||
			!hasEvent(auditEvents(t, env), "identity.user.disable", event.Allowed, u.ID) {
			t.Error("logout or disable not audited")
		}
	})
}

func TestOutboxFailureFailsClosed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		o := env.Org(t, "Commission", "commission")
		u := env.User(t, o.ID, "analyst@example.org", auth.RoleCommissionAnalyst)
		// The outbox disappears (on PostgreSQL only its owner can do that).
		breaker, table := env.DB.DB, "outbox"
		if e.AdminURL != "" {
			table = "identity.outbox"
			admin, err := sql.Open("postgres", e.AdminURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.Close() })
			breaker = admin
		}
		if _, err := breaker.ExecContext(context.Background(), `ALTER TABLE `+table+` RENAME TO outbox_gone`); err != nil {
			t.Fatal(err)
		}
		_, err := env.Service.CreateOrg(identitytest.System(), identity.NewOrg{Name: "Late", Kind: "ngo"})
		wantCode(t, err, kit.CodeUnavailable)
		if count(t, env, "orgs") != 1 {
			t.Error("org committed without its audit event")
		}
		env.Clock.Advance(31 * time.Second)
		_, err = env.Service.Login(context.Background(), identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: env.Code(t, u)})
		wantCode(t, err, kit.CodeUnavailable)
		if count(t, env, "sessions") != 0 {
			t.Error("session opened without its audit event")
		}
	})
}
