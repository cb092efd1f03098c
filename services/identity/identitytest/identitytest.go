// Package identitytest sets up an identity service for tests without the
// command line: organisations, users with known passwords and TOTP
// secrets, and signed-in sessions with real tokens.
package identitytest

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/services/identity"
)

// Password is the password of every user the helper creates.
const Password = "correct horse battery staple"

// CheapArgon2 keeps tests fast; never use it outside tests.
var CheapArgon2 = identity.Argon2Params{Time: 1, Memory: 64, Threads: 1}

// Clock is a settable clock, starting at the real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen.Add(c.offset)
	}
	return time.Now().Add(c.offset)
}

// Freeze stops the clock: from now on only Advance moves it, so a test
// can assert exact waits.
func (c *Clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen.IsZero() {
		c.frozen = time.Now()
	}
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Env is an identity service on a fresh database.
type Env struct {
	Service identity.Service
	DB      *db.DB
	Keys    *keys.Dir
	Clock   *Clock
	Engine  dbtest.Engine
}

// New migrates a fresh identity database on e and starts the service.
func New(t testing.TB, e dbtest.Engine) *Env {
	t.Helper()
	d := dbtest.Open(t, e, "identity")
	k, err := keys.Open(t.TempDir(), "")
	if err != nil {
		t.Fatalf("identitytest: keys: %v", err)
	}
	clock := &Clock{}
	s, err := identity.New(identity.Config{DB: d, Keys: k, Now: clock.Now, Argon2: CheapArgon2})
	if err != nil {
		t.Fatalf("identitytest: new: %v", err)
	}
	return &Env{Service: s, DB: d, Keys: k, Clock: clock, Engine: e}
}

// System returns a context acting as the command line.
func System() context.Context {
	return auth.WithPrincipal(context.Background(), auth.System())
}

// Org creates an organisation of kind.
func (e *Env) Org(t testing.TB, name, kind string) identity.Org {
	t.Helper()
	o, err := e.Service.CreateOrg(System(), identity.NewOrg{Name: name, Kind: kind, Region: "MA-06"})
	if err != nil {
		t.Fatalf("identitytest: create org: %v", err)
	}
	return o
}

// User is a created user with what it takes to sign in.
type User struct {
	identity.User
	Password   string
	TOTPSecret string
}

// User creates a user with Password in orgID holding roles.
func (e *Env) User(t testing.TB, orgID, email string, roles ...string) User {
	t.Helper()
	u, uri, err := e.Service.CreateUser(System(), identity.NewUser{
		OrgID: orgID, Email: email, DisplayName: "Test User", Roles: roles, Password: Password,
	})
	if err != nil {
		t.Fatalf("identitytest: create user: %v", err)
	}
	return User{User: u, Password: Password, TOTPSecret: Secret(t, uri)}
}

// Secret returns the TOTP secret of an otpauth:// URI.
func Secret(t testing.TB, uri string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" || u.Query().Get("secret") == "" {
		t.Fatalf("identitytest: bad otpauth URI")
	}
	return u.Query().Get("secret")
}

// Code returns the user's TOTP code at the clock's time.
func (e *Env) Code(t testing.TB, u User) string {
	t.Helper()
	c, err := totp.GenerateCode(u.TOTPSecret, e.Clock.Now())
	if err != nil {
		t.Fatalf("identitytest: totp: %v", err)
	}
	return c
}

// Login signs u in, first moving the clock past the previous TOTP step so
// consecutive logins of one user do not reuse a code.
func (e *Env) Login(t testing.TB, u User) identity.Tokens {
	t.Helper()
	e.Clock.Advance(31 * time.Second)
	tok, err := e.Service.Login(context.Background(), identity.LoginRequest{Email: u.Email, Password: u.Password, OTP: e.Code(t, u)})
	if err != nil {
		t.Fatalf("identitytest: login: %v", err)
	}
	return tok
}
