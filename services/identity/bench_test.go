package identity_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// BenchmarkAuthorization measures what every protected request pays:
// token verification, revocation check and the Casbin decision.
func BenchmarkAuthorization(b *testing.B) {
	env := identitytest.New(b, dbtest.SQLite(b))
	o := env.Org(b, "Own", "police")
	u := env.User(b, o.ID, "admin@example.org", auth.RoleOrgAdmin)
	tok := env.Login(b, u)
	enf, err := authz.Load("")
	if err != nil {
		b.Fatal(err)
	}
	rl := auth.NewRevocationList(identity.RevocationSource(env.Service))
	if err := rl.Poll(context.Background()); err != nil {
		b.Fatal(err)
	}
	v := auth.NewVerifier(identity.KeySource(env.Service), "nrm", rl, env.Clock.Now)
	ep := auth.Middleware(v)(enf.Middleware(identity.ObjectUsers, "list", nil)(
		func(context.Context, any) (any, error) { return nil, nil }))
	ctx := contextWithToken(tok.AccessToken)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ep(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoginParallel measures full logins (argon2id with the default
// parameters, TOTP, session, audit event) from concurrent clients. Each
// iteration needs its own user, created before the timer starts: run it
// with a fixed count, e.g. -benchtime=40x.
func BenchmarkLoginParallel(b *testing.B) {
	d := dbtest.Open(b, dbtest.SQLite(b), "identity")
	k, err := keys.Open(b.TempDir(), "")
	if err != nil {
		b.Fatal(err)
	}
	s, err := identity.New(identity.Config{DB: d, Keys: k})
	if err != nil {
		b.Fatal(err)
	}
	ctx := identitytest.System()
	o, err := s.CreateOrg(ctx, identity.NewOrg{Name: "Bench", Kind: "police"})
	if err != nil {
		b.Fatal(err)
	}
	type cred struct{ email, secret string }
	creds := make([]cred, b.N)
	var wg sync.WaitGroup
	errs := make(chan error, b.N)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0)) // stay under the hashing bound
	for i := range b.N {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("bench%d@example.org", i)
			_, uri, err := s.CreateUser(ctx, identity.NewUser{OrgID: o.ID, Email: email, DisplayName: "B",
				Roles: []string{auth.RoleFrontlineOfficer}, Password: identitytest.Password})
			if err != nil {
				errs <- err
				return
			}
			creds[i] = cred{email, identitytest.Secret(b, uri)}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			c := creds[i]
			code, _ := totp.GenerateCode(c.secret, timeNow())
			lctx := kit.WithClientAddr(context.Background(), fmt.Sprintf("10.1.%d.%d", i/256, i%256))
			if _, err := s.Login(lctx, identity.LoginRequest{Email: c.email, Password: identitytest.Password, OTP: code}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
