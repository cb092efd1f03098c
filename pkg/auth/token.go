package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nrm-project/nrm/pkg/kit"
)

// AccessTokenTTL is the lifetime of an access token. A revoked session stays
// on revocation lists at least this long.
const AccessTokenTTL = 15 * time.Minute

// KeySource returns the public key of a token-signing key by its key id.
type KeySource interface {
	PublicKey(ctx context.Context, kid string) (ed25519.PublicKey, error)
}

// RevocationChecker reports whether a session has been revoked.
type RevocationChecker interface {
	Revoked(sessionID string) bool
}

// Claims are the claims of an access token.
type Claims struct {
	jwt.RegisteredClaims
	Org   string   `json:"org,omitempty"`
	Roles []string `json:"roles"`
	Sid   string   `json:"sid"`
}

// KeyID returns the key id of an Ed25519 public key: the first 16 hex
// characters of the SHA-256 of the key.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:])[:16]
}

// Token verification errors. They never carry the token.
var (
	ErrTokenInvalid = errors.New("auth: invalid access token")
	ErrTokenRevoked = errors.New("auth: session revoked")
	// ErrRevocationsUnknown is returned while the revocation list is not
	// loaded (just after a start) or too stale to trust: no token is
	// accepted, and none is refused as revoked either. The caller is
	// asked to retry (503), not to sign in again (401).
	ErrRevocationsUnknown = kit.Unavailable(time.Second)
)

// currentChecker is a RevocationChecker that can tell whether it is
// current (RevocationList).
type currentChecker interface {
	Current() bool
}

// checkRevoked returns nil for a session known not to be revoked.
func (v *Verifier) checkRevoked(sessionID string) error {
	if v.revoked == nil {
		return ErrTokenRevoked
	}
	if c, ok := v.revoked.(currentChecker); ok && !c.Current() {
		return ErrRevocationsUnknown
	}
	if v.revoked.Revoked(sessionID) {
		return ErrTokenRevoked
	}
	return nil
}

// Verifier checks EdDSA access tokens: signature by a key the KeySource
// knows (by kid), no crit header, audience, expiry, a lifetime (exp − iat)
// within MaxLifetime, the required claims and the revocation list. It
// implements Authenticator.
type Verifier struct {
	// MaxLifetime is the longest lifetime a token may claim (default
	// AccessTokenTTL): a token minted with a stolen signing key for a
	// year is refused like any other forgery.
	MaxLifetime time.Duration

	keys     KeySource
	audience string
	revoked  RevocationChecker
	parser   *jwt.Parser
	now      func() time.Time
	verified *verifiedCache
}

var _ Authenticator = (*Verifier)(nil)

// NewVerifier returns a Verifier for tokens issued to audience. Without a
// RevocationChecker every token is refused; now defaults to time.Now.
func NewVerifier(keys KeySource, audience string, revoked RevocationChecker, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	return &Verifier{
		MaxLifetime: AccessTokenTTL,
		keys:        keys,
		audience:    audience,
		revoked:     revoked,
		now:         now,
		verified:    newVerifiedCache(10_000),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(now),
			jwt.WithLeeway(5*time.Second),
			jwt.WithStrictDecoding(),
		),
	}
}

// Authenticate returns the principal a valid access token was issued to.
func (v *Verifier) Authenticate(ctx context.Context, token string) (Principal, error) {
	if len(token) > 4096 {
		return Principal{}, ErrTokenInvalid
	}
	// A token already verified is not verified again (the signature check
	// is most of a request's authentication cost); expiry and revocation
	// are checked every time.
	key := sha256.Sum256([]byte(token))
	if p, exp, ok := v.verified.get(key); ok {
		if !v.now().Before(exp) {
			return Principal{}, fmt.Errorf("%w: expired", ErrTokenInvalid)
		}
		if err := v.checkRevoked(p.SessionID); err != nil {
			return Principal{}, err
		}
		p.Token = token
		return p, nil
	}
	var c Claims
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodEd25519); !ok {
			return nil, ErrTokenInvalid
		}
		// RFC 7515 §4.1.11: extensions the verifier must understand; it
		// understands none, so any crit header (even empty) is refused.
		if _, ok := t.Header["crit"]; ok {
			return nil, fmt.Errorf("%w: crit header", ErrTokenInvalid)
		}
		kid, ok := t.Header["kid"].(string)
		if !ok || kid == "" || len(kid) > 64 {
			return nil, ErrTokenInvalid
		}
		pub, err := v.keys.PublicKey(ctx, kid)
		if err != nil && kit.AsError(err).Status == http.StatusServiceUnavailable {
			return nil, err // the keys could not be read: not the token's fault
		} else if err != nil {
			return nil, fmt.Errorf("%w: unknown key", ErrTokenInvalid)
		}
		return pub, nil
	})
	if err != nil && kit.AsError(err).Status == http.StatusServiceUnavailable {
		return Principal{}, err
	} else if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	if c.Subject == "" || c.Sid == "" || c.ID == "" || c.IssuedAt == nil || len(c.Roles) == 0 {
		return Principal{}, fmt.Errorf("%w: missing claims", ErrTokenInvalid)
	}
	if c.ExpiresAt.Sub(c.IssuedAt.Time) > v.MaxLifetime {
		return Principal{}, fmt.Errorf("%w: lifetime over the maximum", ErrTokenInvalid)
	}
	for _, r := range c.Roles {
		if !ValidRole(r) {
			return Principal{}, fmt.Errorf("%w: unknown role", ErrTokenInvalid)
		}
	}
	if err := v.checkRevoked(c.Sid); err != nil {
		return Principal{}, err
	}
	p := Principal{UserID: c.Subject, OrgID: c.Org, Roles: c.Roles, SessionID: c.Sid}
	v.verified.put(key, p, c.ExpiresAt.Time.Add(5*time.Second))
	p.Token = token
	return p, nil
}

// verifiedCache remembers verified tokens (by hash) until they expire.
// It is bounded: when full, an arbitrary entry makes room.
type verifiedCache struct {
	max int
	mu  sync.Mutex
	m   map[[32]byte]verifiedEntry
}

type verifiedEntry struct {
	p   Principal
	exp time.Time
}

func newVerifiedCache(max int) *verifiedCache {
	return &verifiedCache{max: max, m: make(map[[32]byte]verifiedEntry)}
}

func (c *verifiedCache) get(k [32]byte) (Principal, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if ok {
		e.p.Roles = slices.Clone(e.p.Roles)
	}
	return e.p, e.exp, ok
}

func (c *verifiedCache) put(k [32]byte, p Principal, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	p.Roles = slices.Clone(p.Roles)
	c.m[k] = verifiedEntry{p: p, exp: exp}
}

// StaticKeys is a KeySource over a fixed set of public keys.
type StaticKeys map[string]ed25519.PublicKey

// PublicKey implements KeySource.
func (s StaticKeys) PublicKey(_ context.Context, kid string) (ed25519.PublicKey, error) {
	k, ok := s[kid]
	if !ok {
		return nil, ErrTokenInvalid
	}
	return k, nil
}
