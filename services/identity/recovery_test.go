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

// ticket issues u an enrolment ticket as the command line.
func ticket(t *testing.T, env *identitytest.Env, userID string) string {
	t.Helper()
	tk, err := env.Service.IssueEnrolmentTicket(identitytest.System(), userID)
	if err != nil {
		t.Fatalf("enrolment ticket: %v", err)
	}
	return tk.Ticket
}

// TestOrgAdminCannotTakeOverCaseworker replays, over HTTP, an org_admin
// taking over an enrolled caseworker alone: a password reset, a
// second-factor reset, then the ticket the new secret needs. The same
// administrator may not hold both halves; the victim and the other
// administrators find every step in the audit log.
func TestOrgAdminCannotTakeOverCaseworker(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		ngo := env.Org(t, "Shelter", "ngo")
		admin := env.User(t, ngo.ID, "admin@ngo.example.org", auth.RoleOrgAdmin)
		second := env.User(t, ngo.ID, "admin2@ngo.example.org", auth.RoleOrgAdmin)
		victim := env.User(t, ngo.ID, "cw@ngo.example.org", auth.RoleNGOCaseworker)
		env.Login(t, victim)
		tok := env.Login(t, admin).AccessToken

		reset := call(t, srv, tok, "POST", "/api/v1/users/"+victim.ID+"/password-reset", nil)
		if reset.status != 200 {
			t.Fatalf("password reset: %d %s", reset.status, reset.code)
		}
		if got := call(t, srv, tok, "POST", "/api/v1/users/"+victim.ID+"/totp/reset", nil); got.status != 204 {
			t.Fatalf("second-factor reset: %d %s", got.status, got.code)
		}
		if got := call(t, srv, tok, "POST", "/api/v1/users/"+victim.ID+"/enrolment-ticket", nil); got.status != 403 || got.code != identity.CodeSecondAdminRequired {
			t.Fatalf("the admin who issued the password reset got the enrolment ticket too: %d %s", got.status, got.code)
		}
		const chosen = "admin chose this password 123"
		if got := call(t, srv, "", "POST", "/api/v1/auth/password-reset", map[string]any{"token": reset.body["token"], "new_password": chosen}); got.status != 204 {
			t.Fatalf("reset use: %d %s", got.status, got.code)
		}
		for name, tc := range map[string]struct {
			ticket string
			status int
			code   string
		}{
			"no ticket":      {"", 400, kit.CodeValidation},
			"guessed ticket": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401, identity.CodeInvalidCredentials},
		} {
			t.Run(name, func(t *testing.T) {
				env.Clock.Advance(16 * time.Minute) // past the throttle's waits
				got := call(t, srv, "", "POST", "/api/v1/auth/enrolment", map[string]any{"email": victim.Email, "password": chosen, "ticket": tc.ticket})
				if got.status != tc.status || got.code != tc.code {
					t.Fatalf("enrolment with the admin's password: %d %s, want %d %s", got.status, got.code, tc.status, tc.code)
				}
			})
		}
		events := auditEvents(t, env)
		for _, a := range []struct {
			action  string
			outcome event.Outcome
		}{
			{"identity.password_reset.issue", event.Allowed},
			{"identity.totp.reset", event.Allowed},
			{"identity.enrolment_ticket.issue", event.Denied},
			{"identity.totp.enrolment", event.Denied},
		} {
			if !hasEvent(events, a.action, a.outcome, victim.ID) {
				t.Errorf("no %s %s event on the caseworker's account", a.action, a.outcome)
			}
		}

		// A second administrator hands the ticket over: the account's
		// owner enrols with it (here the password the reset set).
		sctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: second.ID, OrgID: ngo.ID, Roles: []string{auth.RoleOrgAdmin}})
		tk, err := env.Service.IssueEnrolmentTicket(sctx, victim.ID)
		if err != nil {
			t.Fatalf("a second administrator's ticket: %v", err)
		}
		enr, err := env.Service.BeginEnrolment(context.Background(), identity.EnrolmentRequest{Email: victim.Email, Password: chosen, Ticket: tk.Ticket})
		if err != nil {
			t.Fatal(err)
		}
		env.Login(t, identitytest.User{User: victim.User, Password: chosen, TOTPSecret: identitytest.Secret(t, enr.OTPAuthURI)})
	})
}

// TestSecondAdminRule: whichever half one administrator issues first, the
// same administrator may not issue the other for RecoverySeparation; a
// second administrator (or the command line) may.
func TestSecondAdminRule(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	ngo := env.Org(t, "Shelter", "ngo")
	admin := env.User(t, ngo.ID, "admin@ngo.example.org", auth.RoleOrgAdmin)
	u := env.User(t, ngo.ID, "cw@ngo.example.org", auth.RoleNGOCaseworker)
	actx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: admin.ID, OrgID: ngo.ID, Roles: []string{auth.RoleOrgAdmin}})

	t.Run("ticket first, then password reset", func(t *testing.T) {
		if _, err := env.Service.IssueEnrolmentTicket(actx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.IssuePasswordReset(actx, u.ID); kit.AsError(err).Code != identity.CodeSecondAdminRequired {
			t.Fatalf("password reset after the same admin's ticket: %v", err)
		}
		if _, err := env.Service.IssuePasswordReset(identitytest.System(), u.ID); err != nil {
			t.Fatalf("the command line's password reset: %v", err)
		}
	})
	t.Run("after the separation", func(t *testing.T) {
		env.Clock.Advance(identity.RecoverySeparation + time.Minute)
		if _, err := env.Service.IssuePasswordReset(actx, u.ID); err != nil {
			t.Fatalf("password reset a week later: %v", err)
		}
	})
}

// TestPasswordThiefGetsNoSecondFactor replays, over HTTP, a thief holding
// the password of an account whose second factor waits for enrolment
// (after a reset, or never enrolled): the password alone shows no secret.
func TestPasswordThiefGetsNoSecondFactor(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		o := env.Org(t, "Police", "police")
		officer := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
		fresh := env.User(t, o.ID, "new@example.org", auth.RoleFrontlineOfficer)
		other := env.User(t, o.ID, "other@example.org", auth.RoleFrontlineOfficer)
		env.Login(t, officer)
		if err := env.Service.ResetSecondFactor(identitytest.System(), officer.ID); err != nil {
			t.Fatal(err)
		}
		handed := ticket(t, env, officer.ID) // given to the officer in person
		othersTicket := ticket(t, env, other.ID)
		for name, tc := range map[string]struct {
			email, ticket string
			status        int
			code          string
		}{
			"reset account, no ticket":        {officer.Email, "", 400, kit.CodeValidation},
			"reset account, guessed ticket":   {officer.Email, "c3RvbGVuIHBhc3N3b3JkIGFuZCBhIGd1ZXNzZWQgdGlja2V0", 401, identity.CodeInvalidCredentials},
			"reset account, another's ticket": {officer.Email, othersTicket, 401, identity.CodeInvalidCredentials},
			"never enrolled, no ticket":       {fresh.Email, "", 400, kit.CodeValidation},
		} {
			t.Run(name, func(t *testing.T) {
				env.Clock.Advance(16 * time.Minute)
				got := call(t, srv, "", "POST", "/api/v1/auth/enrolment", map[string]any{"email": tc.email, "password": identitytest.Password, "ticket": tc.ticket})
				if got.status != tc.status || got.code != tc.code {
					t.Fatalf("%d %s, want %d %s", got.status, got.code, tc.status, tc.code)
				}
				if _, ok := got.body["otpauth_uri"]; ok {
					t.Fatal("the answer holds a secret")
				}
			})
		}
		env.Clock.Advance(16 * time.Minute)
		got := call(t, srv, "", "POST", "/api/v1/auth/enrolment", map[string]any{"email": officer.Email, "password": officer.Password, "ticket": handed})
		if got.status != 200 {
			t.Fatalf("the officer's enrolment with the ticket: %d %s", got.status, got.code)
		}
		env.Clock.Advance(16 * time.Minute)
		if got := call(t, srv, "", "POST", "/api/v1/auth/enrolment", map[string]any{"email": officer.Email, "password": officer.Password, "ticket": handed}); got.status != 401 {
			t.Fatalf("the ticket worked twice: %d %s", got.status, got.code)
		}
		uri, _ := got.body["otpauth_uri"].(string)
		officer.TOTPSecret = identitytest.Secret(t, uri)
		env.Login(t, officer)
	})
}

func TestEnrolmentTicketLimits(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	o := env.Org(t, "Police", "police")
	u := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
	begin := func(tk string) error {
		env.Clock.Advance(16 * time.Minute)
		_, err := env.Service.BeginEnrolment(context.Background(), identity.EnrolmentRequest{Email: u.Email, Password: u.Password, Ticket: tk})
		return err
	}
	t.Run("expired", func(t *testing.T) {
		tk := ticket(t, env, u.ID)
		env.Clock.Advance(identity.EnrolmentTicketTTL)
		if err := begin(tk); kit.AsError(err).Code != identity.CodeInvalidCredentials {
			t.Fatalf("an expired ticket: %v", err)
		}
	})
	t.Run("replaced by a newer one", func(t *testing.T) {
		old := ticket(t, env, u.ID)
		ticket(t, env, u.ID)
		if err := begin(old); kit.AsError(err).Code != identity.CodeInvalidCredentials {
			t.Fatalf("a replaced ticket: %v", err)
		}
	})
	t.Run("voided by a second-factor reset", func(t *testing.T) {
		tk := ticket(t, env, u.ID)
		if err := env.Service.ResetSecondFactor(identitytest.System(), u.ID); err != nil {
			t.Fatal(err)
		}
		if err := begin(tk); kit.AsError(err).Code != identity.CodeInvalidCredentials {
			t.Fatalf("a ticket from before the reset: %v", err)
		}
	})
	t.Run("enrolled account", func(t *testing.T) {
		v := env.User(t, o.ID, "enrolled@example.org", auth.RoleFrontlineOfficer)
		env.Login(t, v)
		if _, err := env.Service.IssueEnrolmentTicket(identitytest.System(), v.ID); kit.AsError(err).Code != identity.CodeNotPending {
			t.Fatalf("a ticket for an enrolled account: %v", err)
		}
	})
}
