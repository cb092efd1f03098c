package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/chacha20poly1305"
)

// userMAC binds a user's id, organisation, roles, status and email, so a
// row changed directly in the database no longer verifies.
func userMAC(key []byte, id, orgID string, roles []string, status, email string) string {
	r := slices.Clone(roles)
	slices.Sort(r)
	m := hmac.New(sha256.New, key)
	for _, f := range []string{"nrm/identity/user/v1", id, orgID, strings.Join(r, ","), status, email} {
		fmt.Fprintf(m, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func checkUserMAC(key []byte, u userRow) bool {
	want := userMAC(key, u.ID, u.OrgID, u.Roles, u.Status, u.Email)
	return hmac.Equal([]byte(want), []byte(u.MAC))
}

// TOTP settings: RFC 6238 defaults, which every authenticator app supports.
const (
	totpIssuer = "NRM"
	totpPeriod = 30
	totpDigits = otp.DigitsSix
)

var errTOTPSecret = errors.New("identity: TOTP secret does not decrypt")

// sealTOTP encrypts a TOTP secret for user id (the id is the AAD, so a
// secret copied to another row does not decrypt).
func sealTOTP(key []byte, userID, secret string) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, []byte(secret), []byte(userID)), nil
}

func openTOTP(key []byte, userID string, sealed []byte) (string, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return "", errTOTPSecret
	}
	pt, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(userID))
	if err != nil {
		return "", errTOTPSecret
	}
	return string(pt), nil
}

// newTOTP returns a fresh secret and its otpauth:// URI.
func newTOTP(account string) (secret, uri string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: account, Period: totpPeriod, Digits: totpDigits})
	if err != nil {
		return "", "", fmt.Errorf("identity: totp: %w", err)
	}
	return k.Secret(), k.URL(), nil
}

// totpURI returns the otpauth:// URI of an existing secret, in the form
// newTOTP's URIs have.
func totpURI(account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("period", strconv.Itoa(totpPeriod))
	v.Set("algorithm", otp.AlgorithmSHA1.String())
	v.Set("digits", totpDigits.String())
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + account, RawQuery: v.Encode()}
	return u.String()
}

// matchTOTP returns the time step (±1 around now) whose code equals code,
// or 0 when none does. The caller refuses steps already used.
func matchTOTP(secret, code string, now time.Time) int64 {
	if len(code) != int(totpDigits) {
		return 0
	}
	cur := now.Unix() / totpPeriod
	var found int64
	for step := cur - 1; step <= cur+1; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0),
			totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && found == 0 {
			found = step
		}
	}
	return found
}

// newRefreshToken returns a random refresh token and the hash stored for it.
func newRefreshToken(key []byte) (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, refreshHash(key, token)
}

func refreshHash(key []byte, token string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}
