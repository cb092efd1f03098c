package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type revokedSet map[string]bool

func (r revokedSet) Revoked(id string) bool { return r[id] }

type tokenFixture struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	kid  string
	now  time.Time
	v    *Verifier
}

func newTokenFixture(t testing.TB, revoked RevocationChecker) *tokenFixture {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &tokenFixture{priv: priv, pub: pub, kid: KeyID(pub), now: time.Now()}
	f.v = NewVerifier(StaticKeys{f.kid: pub}, "nrm", revoked, func() time.Time { return f.now })
	return f
}

func (f *tokenFixture) claims() Claims {
	return Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "nrm-identity", Subject: "6f1c1a52-8d0e-4b44-9a43-0c5d1f0d8a11",
			Audience: jwt.ClaimStrings{"nrm"}, ID: "jti-1",
			IssuedAt: jwt.NewNumericDate(f.now), ExpiresAt: jwt.NewNumericDate(f.now.Add(AccessTokenTTL)),
		},
		Org: "org-1", Roles: []string{RoleFrontlineOfficer}, Sid: "session-1",
	}
}

func (f *tokenFixture) sign(t testing.TB, c Claims, mutate func(*jwt.Token)) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = f.kid
	if mutate != nil {
		mutate(tok)
	}
	s, err := tok.SignedString(f.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifier(t *testing.T) {
	f := newTokenFixture(t, revokedSet{"revoked-session": true})
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	with := func(m func(*Claims)) Claims { c := f.claims(); m(&c); return c }
	tests := []struct {
		name  string
		token func(t *testing.T) string
		ok    bool
	}{
		{"valid", func(t *testing.T) string { return f.sign(t, f.claims(), nil) }, true},
		{"expired", func(t *testing.T) string {
			return f.sign(t, with(func(c *Claims) {
				c.IssuedAt = jwt.NewNumericDate(f.now.Add(-time.Hour))
				c.ExpiresAt = jwt.NewNumericDate(f.now.Add(-time.Minute))
			}), nil)
		}, false},
		{"no expiry", func(t *testing.T) string { return f.sign(t, with(func(c *Claims) { c.ExpiresAt = nil }), nil) }, false},
		{"issued in the future", func(t *testing.T) string {
			return f.sign(t, with(func(c *Claims) { c.IssuedAt = jwt.NewNumericDate(f.now.Add(time.Hour)) }), nil)
		}, false},
		{"wrong audience", func(t *testing.T) string {
			return f.sign(t, with(func(c *Claims) { c.Audience = jwt.ClaimStrings{"elsewhere"} }), nil)
		}, false},
		{"no subject", func(t *testing.T) string { return f.sign(t, with(func(c *Claims) { c.Subject = "" }), nil) }, false},
		{"no session", func(t *testing.T) string { return f.sign(t, with(func(c *Claims) { c.Sid = "" }), nil) }, false},
		{"no jti", func(t *testing.T) string { return f.sign(t, with(func(c *Claims) { c.ID = "" }), nil) }, false},
		{"no roles", func(t *testing.T) string { return f.sign(t, with(func(c *Claims) { c.Roles = nil }), nil) }, false},
		{"unknown role", func(t *testing.T) string {
			return f.sign(t, with(func(c *Claims) { c.Roles = []string{"superuser"} }), nil)
		}, false},
		// The service role marks a service's own background calls (intake
		// grants a placed referral on the owner's behalf for it): a signed
		// token never carries it, even with a user's other roles.
		{"service role", func(t *testing.T) string {
			return f.sign(t, with(func(c *Claims) { c.Roles = []string{RoleService} }), nil)
		}, false},
		{"service role beside a user's", func(t *testing.T) string {
			return f.sign(t, with(func(c *Claims) { c.Roles = []string{RoleCoordinator, RoleService} }), nil)
		}, false},
		{"revoked session", func(t *testing.T) string {
			return f.sign(t, with(func(c *Claims) { c.Sid = "revoked-session" }), nil)
		}, false},
		{"no kid", func(t *testing.T) string {
			return f.sign(t, f.claims(), func(tk *jwt.Token) { delete(tk.Header, "kid") })
		}, false},
		{"unknown kid", func(t *testing.T) string {
			return f.sign(t, f.claims(), func(tk *jwt.Token) { tk.Header["kid"] = "0000000000000000" })
		}, false},
		{"signed by another key", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, f.claims())
			tok.Header["kid"] = f.kid
			s, _ := tok.SignedString(otherPriv)
			return s
		}, false},
		{"alg none", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, f.claims())
			tok.Header["kid"] = f.kid
			s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}, false},
		{"HS256 keyed with the public key", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, f.claims())
			tok.Header["kid"] = f.kid
			s, _ := tok.SignedString([]byte(f.pub))
			return s
		}, false},
		{"RS256", func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, f.claims())
			tok.Header["kid"] = f.kid
			s, _ := tok.SignedString(rsaKey)
			return s
		}, false},
		{"tampered payload", func(t *testing.T) string {
			a := f.sign(t, f.claims(), nil)
			b := f.sign(t, with(func(c *Claims) { c.Roles = []string{RoleSystemAdmin} }), nil)
			return b[:indexDot(b)] + a[indexDot(a):]
		}, false},
		{"garbage", func(t *testing.T) string { return "not.a.token" }, false},
		{"empty", func(t *testing.T) string { return "" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.token(t)
			p, err := f.v.Authenticate(context.Background(), tok)
			if tc.ok {
				if err != nil {
					t.Fatalf("valid token refused: %v", err)
				}
				if p.UserID != f.claims().Subject || p.SessionID != "session-1" || p.OrgID != "org-1" || !p.HasRole(RoleFrontlineOfficer) {
					t.Fatalf("principal = %+v", p)
				}
				return
			}
			if err == nil {
				t.Fatalf("token accepted, want refusal")
			}
			if !errors.Is(err, ErrTokenInvalid) && !errors.Is(err, ErrTokenRevoked) {
				t.Fatalf("error %v is neither ErrTokenInvalid nor ErrTokenRevoked", err)
			}
		})
	}
}

// indexDot returns the index of the second dot (end of the payload).
func indexDot(s string) int {
	n := 0
	for i, c := range s {
		if c == '.' {
			n++
			if n == 2 {
				return i
			}
		}
	}
	return len(s)
}

func TestVerifierWithoutRevocationCheckerRefuses(t *testing.T) {
	f := newTokenFixture(t, nil)
	f.v = NewVerifier(StaticKeys{f.kid: f.pub}, "nrm", nil, func() time.Time { return f.now })
	if _, err := f.v.Authenticate(context.Background(), f.sign(t, f.claims(), nil)); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("err = %v, want ErrTokenRevoked", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	f := newTokenFixture(b, revokedSet{})
	tok := f.sign(b, f.claims(), nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.v.Authenticate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A token verified once is remembered, but its expiry and its session's
// revocation still apply on every later use.
func TestVerifiedTokensStillExpireAndRevoke(t *testing.T) {
	revoked := revokedSet{}
	f := newTokenFixture(t, revoked)
	tok := f.sign(t, f.claims(), nil)
	ctx := context.Background()
	for range 2 {
		if _, err := f.v.Authenticate(ctx, tok); err != nil {
			t.Fatalf("valid token refused: %v", err)
		}
	}
	revoked["session-1"] = true
	if _, err := f.v.Authenticate(ctx, tok); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("revoked session's remembered token: err = %v", err)
	}
	delete(revoked, "session-1")
	f.now = f.now.Add(AccessTokenTTL + time.Minute)
	if _, err := f.v.Authenticate(ctx, tok); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("expired remembered token: err = %v", err)
	}
	// A changed token is a different token: verified from scratch.
	bad := tok[:len(tok)-2] + "AA"
	if _, err := f.v.Authenticate(ctx, bad); err == nil {
		t.Fatal("tampered token accepted")
	}
}

// TestVerifierRefusesLongLivedAndCritTokens replays issue 18's forged
// tokens signed with a real key: one living a year (a leaked signing key
// must not mint lasting access) and one carrying a crit header the
// verifier does not understand (RFC 7515 §4.1.11: refuse).
func TestVerifierRefusesLongLivedAndCritTokens(t *testing.T) {
	f := newTokenFixture(t, revokedSet{})
	with := func(m func(*Claims)) Claims { c := f.claims(); m(&c); return c }
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"the configured lifetime", f.sign(t, f.claims(), nil), true},
		{"a year", f.sign(t, with(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(f.now.Add(365 * 24 * time.Hour)) }), nil), false},
		{"one minute over", f.sign(t, with(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(f.now.Add(AccessTokenTTL + time.Minute)) }), nil), false},
		{"issued in the past, still within the maximum", f.sign(t, with(func(c *Claims) {
			c.IssuedAt = jwt.NewNumericDate(f.now.Add(-time.Minute))
			c.ExpiresAt = jwt.NewNumericDate(f.now.Add(AccessTokenTTL - time.Minute))
		}), nil), true},
		{"crit header", f.sign(t, f.claims(), func(tok *jwt.Token) { tok.Header["crit"] = []string{"exp"} }), false},
		{"empty crit header", f.sign(t, f.claims(), func(tok *jwt.Token) { tok.Header["crit"] = []string{} }), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.v.Authenticate(context.Background(), tc.token)
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrTokenInvalid) {
				t.Fatalf("err = %v, want ErrTokenInvalid", err)
			}
		})
	}
	t.Run("a shorter configured maximum", func(t *testing.T) {
		g := newTokenFixture(t, revokedSet{})
		g.v.MaxLifetime = 5 * time.Minute
		if _, err := g.v.Authenticate(context.Background(), g.sign(t, g.claims(), nil)); err == nil {
			t.Fatal("a 15-minute token accepted under a 5-minute maximum")
		}
	})
}
