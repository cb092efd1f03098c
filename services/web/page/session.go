package page

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	SessionCookie = "nrm_session"
	LangCookie    = "nrm_lang"
	// maxCookie bounds what is decrypted: a session holds two tokens.
	maxCookie = 3000
)

// Session is what the encrypted cookie holds: the user's tokens and who
// they are, never anything about a case. An anonymous session holds only
// the form token (and, during a first sign-in, the pending enrolment).
type Session struct {
	Access    string   `json:"a,omitempty"`
	AccessExp int64    `json:"ae,omitempty"`
	Refresh   string   `json:"r,omitempty"`
	UserID    string   `json:"u,omitempty"`
	OrgID     string   `json:"o,omitempty"`
	Roles     []string `json:"ro,omitempty"`
	Name      string   `json:"n,omitempty"`
	Created   int64    `json:"c,omitempty"` // sign-in time
	Seen      int64    `json:"s,omitempty"` // last request
	CSRF      string   `json:"x"`
	// Enrol marks a first sign-in (or a re-enrolment) between the QR code,
	// shown once, and the code typed from it, for ten minutes at most. It
	// holds no password and no secret: whoever copies the cookie learns
	// nothing, and the page asks for the password again with the code.
	Enrol *pendingEnrolment `json:"e,omitempty"`
	Flash string            `json:"f,omitempty"` // message key shown once
}

type pendingEnrolment struct {
	Email   string `json:"e,omitempty"`
	Expires int64  `json:"x"`
}

func (s *Session) SignedIn() bool { return s.Access != "" }

func (s *Session) HasRole(r string) bool {
	for _, x := range s.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// cookieBox seals and opens session cookies with XChaCha20-Poly1305; the
// cookie's name is the associated data, so a value cannot be moved to
// another cookie.
type cookieBox struct {
	key    []byte
	secure bool
}

func newCookieBox(key []byte, secure bool) (*cookieBox, error) {
	if len(key) != chacha20poly1305.KeySize {
		return nil, errors.New("web: session key must be 32 bytes")
	}
	return &cookieBox{key: key, secure: secure}, nil
}

func (b *cookieBox) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	aead, _ := chacha20poly1305.NewX(b.key)
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

func (b *cookieBox) open(name, value string, v any) error {
	if len(value) > maxCookie {
		return errors.New("web: cookie too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return err
	}
	aead, _ := chacha20poly1305.NewX(b.key)
	if len(raw) < aead.NonceSize()+aead.Overhead() {
		return errors.New("web: cookie too short")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(name))
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}

// Load returns the request's session, or a new anonymous one.
func (h *Site) Load(r *http.Request) *Session {
	s := &Session{}
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := h.box.open(SessionCookie, c.Value, s); err != nil {
			s = &Session{}
		}
	}
	if s.CSRF == "" {
		s.CSRF = RandomToken()
	}
	return s
}

// Save writes s back. The cookie has no expiry of its own: it ends with
// the browser, and the idle and absolute limits are checked on the server.
func (h *Site) Save(w http.ResponseWriter, s *Session) {
	v, err := h.box.seal(SessionCookie, s)
	if err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: v, Path: "/",
		Secure: h.box.secure, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

// expired reports whether a signed-in session passed its idle or absolute limit.
func (h *Site) expired(s *Session, now time.Time) bool {
	if !s.SignedIn() {
		return false
	}
	return now.Sub(time.Unix(s.Seen, 0)) > h.cfg.IdleTimeout || now.Sub(time.Unix(s.Created, 0)) > h.cfg.AbsoluteTimeout
}

// RandomToken is a fresh form token.
func RandomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// String never prints tokens.
func (s *Session) String() string { return fmt.Sprintf("session(user %s)", s.UserID) }
