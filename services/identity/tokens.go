package identity

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
)

// signer issues EdDSA access tokens.
type signer struct {
	priv     ed25519.PrivateKey
	kid      string
	issuer   string
	audience string
}

func newSigner(priv ed25519.PrivateKey, issuer, audience string) *signer {
	pub := priv.Public().(ed25519.PublicKey)
	return &signer{priv: priv, kid: auth.KeyID(pub), issuer: issuer, audience: audience}
}

func (s *signer) sign(u userRow, sessionID string, now time.Time) (string, time.Time, error) {
	exp := now.Add(AccessTokenTTL)
	roles := slices.Clone(u.Roles)
	slices.Sort(roles)
	c := auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   u.ID,
			Audience:  jwt.ClaimStrings{s.audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        event.NewID(),
		},
		Org:   u.OrgID,
		Roles: roles,
		Sid:   sessionID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = s.kid
	signed, err := t.SignedString(s.priv)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("identity: sign token: %w", err)
	}
	return signed, exp, nil
}

func (s *signer) publicKey() PublicKey {
	return PublicKey{KID: s.kid, Alg: jwt.SigningMethodEdDSA.Alg(), Key: s.priv.Public().(ed25519.PublicKey)}
}

type publicKeyJSON struct {
	KID string `json:"kid"`
	Alg string `json:"alg"`
	Key string `json:"key"`
}

// MarshalJSON writes the key as base64url.
func (k PublicKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(publicKeyJSON{KID: k.KID, Alg: k.Alg, Key: base64.RawURLEncoding.EncodeToString(k.Key)})
}

// UnmarshalJSON reads a key written by MarshalJSON.
func (k *PublicKey) UnmarshalJSON(b []byte) error {
	var j publicKeyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	key, err := base64.RawURLEncoding.DecodeString(j.Key)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return fmt.Errorf("identity: bad public key")
	}
	*k = PublicKey{KID: j.KID, Alg: j.Alg, Key: key}
	return nil
}

// KeySource returns an auth.KeySource over s.PublicKeys (in-process or over
// HTTP), caching keys and refetching at most every few seconds when a
// token names an unknown kid.
func KeySource(s Service) auth.KeySource {
	return &keyCache{svc: s, keys: map[string]ed25519.PublicKey{}}
}

type keyCache struct {
	svc Service

	mu      sync.Mutex
	keys    map[string]ed25519.PublicKey
	fetched time.Time
}

const keyRefetch = 5 * time.Second

func (c *keyCache) PublicKey(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[kid]; ok {
		return k, nil
	}
	if !c.fetched.IsZero() && time.Since(c.fetched) < keyRefetch {
		return nil, auth.ErrTokenInvalid
	}
	keys, err := c.svc.PublicKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: public keys: %w", err)
	}
	c.fetched = time.Now()
	for _, k := range keys {
		if k.Alg == jwt.SigningMethodEdDSA.Alg() && len(k.Key) == ed25519.PublicKeySize && k.KID == auth.KeyID(k.Key) {
			c.keys[k.KID] = k.Key
		}
	}
	if k, ok := c.keys[kid]; ok {
		return k, nil
	}
	return nil, auth.ErrTokenInvalid
}

// RevocationSource returns the auth.RevocationSource of s, for an
// auth.RevocationList.
func RevocationSource(s Service) auth.RevocationSource {
	return s.RevokedSessions
}
