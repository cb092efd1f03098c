package identity_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// outboxNotices returns the notices in the identity outbox, raw and decoded.
func outboxNotices(t *testing.T, env *identitytest.Env) ([]string, []notice.Notice) {
	t.Helper()
	rows, err := env.DB.QueryContext(context.Background(), `SELECT payload FROM outbox WHERE topic = $1 ORDER BY seq`, notice.Topic)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var raw []string
	var out []notice.Notice
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		var n notice.Notice
		if err := json.Unmarshal([]byte(p), &n); err != nil {
			t.Fatal(err)
		}
		raw, out = append(raw, p), append(out, n)
	}
	return raw, out
}

// TestRecoveryIsToldInTheInbox: every recovery of an account was told
// only as an audit event, which the user never reads. Now the user is
// told in their inbox, and the organisation's administrators too of what
// an administrator did or of a suspension, in ids and codes only.
func TestRecoveryIsToldInTheInbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		ngo := env.Org(t, "Shelter", "ngo")
		first := env.User(t, ngo.ID, "first.admin@ngo.example.org", auth.RoleOrgAdmin)
		second := env.User(t, ngo.ID, "second.admin@ngo.example.org", auth.RoleOrgAdmin)
		const email = "canary.recovered@ngo.example.org"
		victim := env.User(t, ngo.ID, email, auth.RoleNGOCaseworker)
		guessed := env.User(t, ngo.ID, "canary.guessed@ngo.example.org", auth.RoleNGOCaseworker)
		env.Login(t, victim)
		env.Login(t, guessed)
		one, two := env.Login(t, first).AccessToken, env.Login(t, second).AccessToken

		reset := call(t, srv, one, "POST", "/api/v1/users/"+victim.ID+"/password-reset", nil)
		if reset.status != 200 {
			t.Fatalf("password reset: %d %s", reset.status, reset.code)
		}
		if got := call(t, srv, "", "POST", "/api/v1/auth/password-reset",
			map[string]any{"token": reset.body["token"], "new_password": "a new password for the canary"}); got.status != 204 {
			t.Fatalf("reset use: %d %s", got.status, got.code)
		}
		for _, step := range []string{"/totp/reset", "/enrolment-ticket", "/disable", "/enable"} {
			var body any
			if step == "/disable" {
				body = map[string]any{}
			}
			if got := call(t, srv, two, "POST", "/api/v1/users/"+victim.ID+step, body); got.status != 204 && got.status != 200 {
				t.Fatalf("%s: %d %s", step, got.status, got.code)
			}
		}
		// Someone with the password guesses codes until the factor is suspended.
		for i := range identity.MaxTOTPFailures {
			env.Clock.Advance(16 * time.Minute)
			ctx := kit.WithClientAddr(context.Background(), "203.0.113.7")
			_, err := env.Service.Login(ctx, identity.LoginRequest{Email: guessed.Email, Password: guessed.Password, OTP: "000000"})
			if i == identity.MaxTOTPFailures-1 && kit.AsError(err).Code != identity.CodeSecondFactorSuspended {
				t.Fatalf("not suspended after %d wrong codes: %v", i+1, err)
			}
		}

		raw, ns := outboxNotices(t, env)
		type told struct{ user, role, detail, object string }
		got := map[told]int{}
		for _, n := range ns {
			if err := n.Validate(); err != nil || n.Kind != notice.KindAccountRecovery || n.Org != ngo.ID {
				t.Fatalf("notice %+v: %v", n, err)
			}
			got[told{n.User, n.Role, n.Detail, n.ObjectID}]++
		}
		want := []told{
			{victim.ID, "", notice.RecoveryPasswordResetIssued, victim.ID},
			{"", auth.RoleOrgAdmin, notice.RecoveryPasswordResetIssued, victim.ID},
			{victim.ID, "", notice.RecoveryPasswordReset, victim.ID},
			{victim.ID, "", notice.RecoverySecondFactorReset, victim.ID},
			{"", auth.RoleOrgAdmin, notice.RecoverySecondFactorReset, victim.ID},
			{victim.ID, "", notice.RecoveryEnrolmentTicketIssued, victim.ID},
			{"", auth.RoleOrgAdmin, notice.RecoveryEnrolmentTicketIssued, victim.ID},
			{victim.ID, "", notice.RecoveryEnabled, victim.ID},
			{"", auth.RoleOrgAdmin, notice.RecoveryEnabled, victim.ID},
			{guessed.ID, "", notice.RecoverySecondFactorSuspended, guessed.ID},
			{"", auth.RoleOrgAdmin, notice.RecoverySecondFactorSuspended, guessed.ID},
		}
		for _, w := range want {
			if got[w] != 1 {
				t.Errorf("told %+v %d times, want once", w, got[w])
			}
		}
		if len(ns) != len(want) {
			t.Errorf("%d notices, want %d: %+v", len(ns), len(want), ns)
		}
		for _, p := range raw {
			for _, pd := range []string{"canary", "Test User", "ngo.example.org"} {
				if strings.Contains(strings.ToLower(p), strings.ToLower(pd)) {
					t.Fatalf("a notice carries personal data (%q): %s", pd, p)
				}
			}
		}
	})
}
