package identity_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// A burst of bad logins from one address, and a spread attack from many,
// must not keep the real user out from their own address.
func TestNoLockout(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	o := env.Org(t, "Police", "police")
	u := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
	bad := identity.LoginRequest{Email: u.Email, Password: "guess guess guess", OTP: "123456"}

	attacker := kit.WithClientAddr(context.Background(), "198.51.100.66")
	limited := 0
	for range 100 {
		_, err := env.Service.Login(attacker, bad)
		if kit.AsError(err).Code == kit.CodeRateLimited {
			limited++
		} else if kit.AsError(err).Code != identity.CodeInvalidCredentials {
			t.Fatalf("bad login: %v", err)
		}
	}
	if limited < 90 {
		t.Fatalf("only %d of 100 bad logins from one address were slowed down", limited)
	}
	auditedBefore := len(auditEvents(t, env))
	for i := range 5 {
		_, _ = env.Service.Login(kit.WithClientAddr(context.Background(), fmt.Sprintf("203.0.113.%d", i)), bad)
	}
	if len(auditEvents(t, env)) == auditedBefore {
		t.Fatal("failures from fresh addresses were not audited")
	}

	env.Clock.Advance(31 * time.Second)
	real := kit.WithClientAddr(context.Background(), "192.0.2.44")
	if _, err := env.Service.Login(real, identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: env.Code(t, u)}); err != nil {
		t.Fatalf("the real user is locked out: %v", err)
	}
}
