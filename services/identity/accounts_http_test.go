package identity_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// login signs in over HTTP with the code of secret at the clock's time,
// after moving the clock to a fresh TOTP step.
func login(t *testing.T, env *identitytest.Env, srv *httptest.Server, email, password, secret string) apiResult {
	t.Helper()
	env.Clock.Advance(31 * time.Second)
	code, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return call(t, srv, "", "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": password, "otp": code})
}

func code(t *testing.T, env *identitytest.Env, secret string) string {
	t.Helper()
	env.Clock.Advance(31 * time.Second)
	c, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFirstSignInEnrolment(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		o := env.Org(t, "Shelter", "ngo")
		u := env.User(t, o.ID, "new@example.org", auth.RoleNGOCaseworker)
		tk := ticket(t, env, u.ID)

		for name, body := range map[string]map[string]any{
			"unknown account": {"email": "nobody@example.org", "password": identitytest.Password, "ticket": tk},
			"wrong password":  {"email": u.Email, "password": "wrong horse battery staple", "ticket": tk},
		} {
			t.Run(name, func(t *testing.T) {
				if got := call(t, srv, "", "POST", "/api/v1/auth/enrolment", body); got.status != 401 || got.code != "invalid_credentials" {
					t.Fatalf("status %d code %q, want the login's 401 invalid_credentials", got.status, got.code)
				}
			})
		}
		got := call(t, srv, "", "POST", "/api/v1/auth/enrolment", map[string]any{"email": u.Email, "password": u.Password, "ticket": tk})
		if got.status != 200 {
			t.Fatalf("enrolment: %d %s", got.status, got.code)
		}
		uri, _ := got.body["otpauth_uri"].(string)
		if identitytest.Secret(t, uri) != u.TOTPSecret {
			t.Fatal("enrolment offers another secret than the one the administrator was given")
		}
		raw, _ := base64.StdEncoding.DecodeString(got.body["qr_png"].(string))
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Fatalf("qr_png is not a PNG: %v", err)
		}
		if got := login(t, env, srv, u.Email, u.Password, u.TOTPSecret); got.status != 200 {
			t.Fatalf("first login: %d %s", got.status, got.code)
		}
		if got := call(t, srv, "", "POST", "/api/v1/auth/enrolment", map[string]any{"email": u.Email, "password": u.Password, "ticket": tk}); got.status != 409 || got.code != identity.CodeAlreadyEnrolled {
			t.Fatalf("enrolment after the first login: %d %s, want 409 already_enrolled", got.status, got.code)
		}
		users, err := env.Service.ListUsers(identitytest.System(), o.ID)
		if err != nil || users[0].SecondFactor != identity.SecondFactorActive {
			t.Fatalf("second factor after the first login: %+v %v", users, err)
		}
		if !hasEvent(auditEvents(t, env), "identity.totp.enrol", event.Allowed, u.ID) {
			t.Fatal("the enrolment is not audited")
		}
	})
}

func TestPasswordChange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		o := env.Org(t, "Police", "police")
		u := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
		other := env.Login(t, u) // a session elsewhere
		tok := env.Login(t, u)
		const newPassword = "a much longer new passphrase"
		for name, tc := range map[string]struct {
			body   map[string]any
			status int
			code   string
		}{
			"wrong current password": {map[string]any{"current_password": "wrong horse battery staple", "new_password": newPassword, "otp": code(t, env, u.TOTPSecret)}, 403, identity.CodeWrongCurrent},
			"wrong code":             {map[string]any{"current_password": u.Password, "new_password": newPassword, "otp": "000000"}, 403, identity.CodeWrongCurrent},
			"short new password":     {map[string]any{"current_password": u.Password, "new_password": "short", "otp": code(t, env, u.TOTPSecret)}, 400, "validation_failed"},
		} {
			t.Run(name, func(t *testing.T) {
				if got := call(t, srv, tok.AccessToken, "POST", "/api/v1/me/password", tc.body); got.status != tc.status || got.code != tc.code {
					t.Fatalf("status %d code %q, want %d %s", got.status, got.code, tc.status, tc.code)
				}
			})
		}
		got := call(t, srv, tok.AccessToken, "POST", "/api/v1/me/password",
			map[string]any{"current_password": u.Password, "new_password": newPassword, "otp": code(t, env, u.TOTPSecret)})
		if got.status != 204 {
			t.Fatalf("change: %d %s", got.status, got.code)
		}
		if got := call(t, srv, "", "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": other.RefreshToken}); got.status == 200 {
			t.Fatal("the other session survived the password change")
		}
		if got := call(t, srv, "", "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": tok.RefreshToken}); got.status != 200 {
			t.Fatalf("the changing session ended: %d", got.status)
		}
		if got := login(t, env, srv, u.Email, u.Password, u.TOTPSecret); got.status != 401 {
			t.Fatalf("old password still signs in: %d", got.status)
		}
		if got := login(t, env, srv, u.Email, newPassword, u.TOTPSecret); got.status != 200 {
			t.Fatalf("new password: %d %s", got.status, got.code)
		}
		if !hasEvent(auditEvents(t, env), "identity.password.change", event.Allowed, u.ID) ||
			!hasEvent(auditEvents(t, env), "identity.password.change", event.Denied, u.ID) {
			t.Fatal("password changes are not audited")
		}
	})
}

func TestTOTPReenrolment(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	srv, _ := server(t, env)
	o := env.Org(t, "Police", "police")
	u := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
	tok := env.Login(t, u).AccessToken
	if got := call(t, srv, tok, "POST", "/api/v1/me/totp", map[string]any{"otp": "000000"}); got.status != 403 {
		t.Fatalf("re-enrolment without a current code: %d", got.status)
	}
	if got := call(t, srv, tok, "POST", "/api/v1/me/totp/confirm", map[string]any{"otp": code(t, env, u.TOTPSecret)}); got.status != 409 {
		t.Fatalf("confirm with nothing pending: %d %s", got.status, got.code)
	}
	got := call(t, srv, tok, "POST", "/api/v1/me/totp", map[string]any{"otp": code(t, env, u.TOTPSecret)})
	if got.status != 200 {
		t.Fatalf("re-enrolment: %d %s", got.status, got.code)
	}
	fresh := identitytest.Secret(t, got.body["otpauth_uri"].(string))
	if got := login(t, env, srv, u.Email, u.Password, u.TOTPSecret); got.status != 200 {
		t.Fatalf("the old factor stops working before confirmation: %d", got.status)
	}
	if got := call(t, srv, tok, "POST", "/api/v1/me/totp/confirm", map[string]any{"otp": code(t, env, u.TOTPSecret)}); got.status != 403 {
		t.Fatalf("confirmation with the old secret's code: %d", got.status)
	}
	if got := call(t, srv, tok, "POST", "/api/v1/me/totp/confirm", map[string]any{"otp": code(t, env, fresh)}); got.status != 204 {
		t.Fatalf("confirmation: %d %s", got.status, got.code)
	}
	if got := login(t, env, srv, u.Email, u.Password, u.TOTPSecret); got.status != 401 {
		t.Fatalf("the old factor still signs in: %d", got.status)
	}
	if got := login(t, env, srv, u.Email, u.Password, fresh); got.status != 200 {
		t.Fatalf("the new factor: %d %s", got.status, got.code)
	}
	if !hasEvent(auditEvents(t, env), "identity.totp.confirm", event.Allowed, u.ID) {
		t.Fatal("re-enrolment is not audited")
	}
}

func TestOwnSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, rl := server(t, env)
		o := env.Org(t, "Police", "police")
		u := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
		stranger := env.User(t, o.ID, "colleague@example.org", auth.RoleFrontlineOfficer)
		laptop, phone := env.Login(t, u), env.Login(t, u)
		theirs := env.Login(t, stranger)
		if err := rl.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := call(t, srv, phone.AccessToken, "GET", "/api/v1/me/sessions", nil)
		ss, _ := got.body["sessions"].([]any)
		if got.status != 200 || len(ss) != 2 {
			t.Fatalf("sessions: %d %v", got.status, got.body)
		}
		for _, x := range ss {
			m := x.(map[string]any)
			if (m["id"] == phone.SessionID) != (m["current"] == true) {
				t.Fatalf("current flag wrong: %v", m)
			}
		}
		if got := call(t, srv, phone.AccessToken, "DELETE", "/api/v1/me/sessions/"+theirs.SessionID, nil); got.status != 404 {
			t.Fatalf("ending another user's session: %d, want 404", got.status)
		}
		if got := call(t, srv, theirs.AccessToken, "GET", "/api/v1/me", nil); got.status != 200 {
			t.Fatalf("the other user's session was touched: %d", got.status)
		}
		if got := call(t, srv, phone.AccessToken, "DELETE", "/api/v1/me/sessions/"+laptop.SessionID, nil); got.status != 204 {
			t.Fatalf("ending own session: %d %s", got.status, got.code)
		}
		if err := rl.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := call(t, srv, laptop.AccessToken, "GET", "/api/v1/me", nil); got.status != 401 {
			t.Fatalf("the ended session's token still works: %d", got.status)
		}
		if got := call(t, srv, "", "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": laptop.RefreshToken}); got.status == 200 {
			t.Fatal("the ended session still refreshes")
		}
		if !hasEvent(auditEvents(t, env), "identity.session.end", event.Denied, theirs.SessionID) {
			t.Fatal("the attempt on another user's session is not audited")
		}
	})
}
