package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// TestAdminAccountActions is the table of who may reset a second factor,
// re-enable an account and issue a password-reset token: an org_admin
// only for its own organisation's users without a privileged role, a
// system_admin for anyone. Another organisation's user answers 404.
func TestAdminAccountActions(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	srv, _ := server(t, env)
	police, ngo := env.Org(t, "Police", "police"), env.Org(t, "Shelter", "ngo")
	authority, commission := env.Org(t, "Authority", "competent_authority"), env.Org(t, "Commission", "commission")
	tokens := map[string]string{
		"police admin":    env.Login(t, env.User(t, police.ID, "admin@police.example.org", auth.RoleOrgAdmin)).AccessToken,
		"shelter admin":   env.Login(t, env.User(t, ngo.ID, "admin@ngo.example.org", auth.RoleOrgAdmin)).AccessToken,
		"authority admin": env.Login(t, env.User(t, authority.ID, "admin@authority.example.org", auth.RoleOrgAdmin)).AccessToken,
		"system admin":    env.Login(t, env.User(t, commission.ID, "sys@example.org", auth.RoleSystemAdmin)).AccessToken,
		"officer":         env.Login(t, env.User(t, police.ID, "colleague@police.example.org", auth.RoleFrontlineOfficer)).AccessToken,
	}
	n := 0
	officer := func() string {
		n++
		return env.User(t, police.ID, "officer"+string(rune('a'+n))+"@example.org", auth.RoleFrontlineOfficer).ID
	}
	decisionMaker := func() string {
		n++
		return env.User(t, authority.ID, "dm"+string(rune('a'+n))+"@example.org", auth.RoleDecisionMaker).ID
	}
	policeAdmin := func() string {
		n++
		return env.User(t, police.ID, "admin"+string(rune('a'+n))+"@example.org", auth.RoleOrgAdmin).ID
	}
	disabled := func(id string) string {
		if err := env.Service.DisableUser(identitytest.System(), id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	actions := map[string]struct {
		path string
		ok   int
		prep func(string) string
	}{
		"totp reset":     {"/totp/reset", 204, func(id string) string { return id }},
		"enable":         {"/enable", 204, disabled},
		"password reset": {"/password-reset", 200, func(id string) string { return id }},
	}
	tests := []struct {
		caller string
		target func() string
		want   string // "ok", or the status
		code   string
	}{
		{"police admin", officer, "ok", ""},
		{"shelter admin", officer, "404", kit.CodeNotFound},                    // another organisation's user
		{"authority admin", decisionMaker, "403", identity.CodePrivilegedRole}, // a privileged user of its own
		{"police admin", policeAdmin, "403", identity.CodePrivilegedRole},      // a fellow admin
		{"system admin", decisionMaker, "ok", ""},
		{"system admin", officer, "ok", ""},
		{"officer", officer, "403", kit.CodeForbidden},
	}
	for name, a := range actions {
		for _, tc := range tests {
			t.Run(name+"/"+tc.caller, func(t *testing.T) {
				id := a.prep(tc.target())
				got := call(t, srv, tokens[tc.caller], "POST", "/api/v1/users/"+id+a.path, nil)
				if tc.want == "ok" {
					if got.status != a.ok {
						t.Fatalf("status %d (%s), want %d", got.status, got.code, a.ok)
					}
					return
				}
				if want := map[string]int{"403": 403, "404": 404}[tc.want]; got.status != want || got.code != tc.code {
					t.Fatalf("status %d code %q, want %d %s", got.status, got.code, want, tc.code)
				}
			})
		}
	}
	ev := auditEvents(t, env)
	for _, action := range []string{"identity.totp.reset", "identity.user.enable", "identity.password_reset.issue"} {
		if !hasEvent(ev, action, event.Allowed, "") || !hasEvent(ev, action, event.Denied, "") {
			t.Errorf("%s: grants and refusals not both audited", action)
		}
	}
}

func TestPasswordResetToken(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		o := env.Org(t, "Police", "police")
		admin := env.Login(t, env.User(t, o.ID, "admin@example.org", auth.RoleOrgAdmin)).AccessToken
		u := env.User(t, o.ID, "forgetful@example.org", auth.RoleFrontlineOfficer)
		session := env.Login(t, u)
		issue := func() string {
			t.Helper()
			got := call(t, srv, admin, "POST", "/api/v1/users/"+u.ID+"/password-reset", nil)
			tok, _ := got.body["token"].(string)
			if got.status != 200 || tok == "" {
				t.Fatalf("issue: %d %s", got.status, got.code)
			}
			return tok
		}
		reset := func(token, password string) apiResult {
			return call(t, srv, "", "POST", "/api/v1/auth/password-reset", map[string]any{"token": token, "new_password": password})
		}
		first := issue()
		var stored int
		if err := env.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM password_resets WHERE hash = $1`, first).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("the token is stored in clear (%d rows, %v)", stored, err)
		}
		second := issue()
		t.Run("an earlier token stops working when a new one is issued", func(t *testing.T) {
			if got := reset(first, "first replacement passphrase"); got.status != 400 || got.code != identity.CodeInvalidResetToken {
				t.Fatalf("status %d %s", got.status, got.code)
			}
		})
		t.Run("short password refused, token not spent", func(t *testing.T) {
			if got := reset(second, "short"); got.status != 400 || got.code != "validation_failed" {
				t.Fatalf("status %d %s", got.status, got.code)
			}
		})
		const newPassword = "a brand new passphrase"
		if got := reset(second, newPassword); got.status != 204 {
			t.Fatalf("reset: %d %s", got.status, got.code)
		}
		t.Run("reuse", func(t *testing.T) {
			if got := reset(second, "yet another passphrase"); got.status != 400 || got.code != identity.CodeInvalidResetToken {
				t.Fatalf("second use: %d %s", got.status, got.code)
			}
		})
		t.Run("expired", func(t *testing.T) {
			tok := issue()
			env.Clock.Advance(identity.PasswordResetTTL + time.Minute)
			if got := reset(tok, "yet another passphrase"); got.status != 400 || got.code != identity.CodeInvalidResetToken {
				t.Fatalf("expired token: %d %s", got.status, got.code)
			}
		})
		if got := call(t, srv, "", "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": session.RefreshToken}); got.status == 200 {
			t.Fatal("a session survived the password reset")
		}
		if got := login(t, env, srv, u.Email, newPassword, u.TOTPSecret); got.status != 200 {
			t.Fatalf("login with the new password: %d %s", got.status, got.code)
		}
		ev := auditEvents(t, env)
		if !hasEvent(ev, "identity.password_reset.use", event.Allowed, u.ID) || !hasEvent(ev, "identity.password_reset.use", event.Denied, "") {
			t.Fatal("resets are not audited")
		}
	})
}

// TestSecondFactorGuessing replays the attack of issue 18: an attacker who
// knows the password guesses codes from ever new addresses. Wrong codes
// are counted per account: a growing wait after a few, and after 100 the
// second factor is suspended (even the right code is refused) until an
// administrator resets it.
func TestSecondFactorGuessing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		o := env.Org(t, "Police", "police")
		u := env.User(t, o.ID, "target@example.org", auth.RoleFrontlineOfficer)
		env.Login(t, u)
		attempt := func(i int, code string) error {
			ctx := kit.WithClientAddr(context.Background(), "198.51."+string(rune('0'+i/100))+"."+string(rune('0'+i%100/10))+string(rune('0'+i%10)))
			_, err := env.Service.Login(ctx, identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: code})
			return err
		}
		wrong := func() string { // a code for an hour from now: not valid now
			env.Clock.Advance(time.Hour)
			c := env.Code(t, u)
			env.Clock.Advance(-time.Hour)
			return c
		}
		for i := range identity.MaxTOTPFailures {
			env.Clock.Advance(16 * time.Minute) // past every wait
			err := attempt(i, wrong())
			if i == 6 {
				// Straight after a wrong code, past the free ones: wait.
				if err := attempt(1000+i, wrong()); kit.AsError(err).Code != kit.CodeRateLimited {
					t.Fatalf("guess straight after the %dth wrong code: %v, want 429", i+1, err)
				}
			}
			if i < identity.MaxTOTPFailures-1 {
				if kit.AsError(err).Code != identity.CodeInvalidCredentials {
					t.Fatalf("wrong code %d: %v", i+1, err)
				}
				continue
			}
			if kit.AsError(err).Code != identity.CodeSecondFactorSuspended {
				t.Fatalf("wrong code %d: %v, want second_factor_suspended", i+1, err)
			}
		}
		env.Clock.Advance(16 * time.Minute)
		if err := attempt(999, env.Code(t, u)); kit.AsError(err).Code != identity.CodeSecondFactorSuspended {
			t.Fatalf("the right code after suspension: %v", err)
		}
		if !hasEvent(auditEvents(t, env), "identity.totp.suspend", event.Allowed, u.ID) {
			t.Fatal("the suspension is not audited")
		}
		users, err := env.Service.ListUsers(identitytest.System(), o.ID)
		if err != nil || users[0].SecondFactor != identity.SecondFactorSuspended {
			t.Fatalf("the listing does not show the suspension: %+v %v", users, err)
		}
		if err := env.Service.ResetSecondFactor(identitytest.System(), u.ID); err != nil {
			t.Fatal(err)
		}
		enr, err := env.Service.BeginEnrolment(context.Background(), identity.EnrolmentRequest{Email: u.Email, Password: u.Password, Ticket: ticket(t, env, u.ID)})
		if err != nil {
			t.Fatal(err)
		}
		u.TOTPSecret = identitytest.Secret(t, enr.OTPAuthURI)
		env.Login(t, u)
	})
}
