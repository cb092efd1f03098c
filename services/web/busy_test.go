package web_test

import (
	"context"
	"crypto/rand"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/web"
)

// busyIdentity refuses every sign-in for going too fast, asking for wait.
type busyIdentity struct {
	web.Identity
	wait time.Duration
}

func (b busyIdentity) Login(context.Context, identity.LoginRequest) (identity.Tokens, error) {
	return identity.Tokens{}, kit.RateLimited("login_user", b.wait)
}

// TestSigninTooFastSaysHowLong: a sign-in refused with 429 tells the wait
// the service gave, in the user's language with its plural form, not a
// fixed minute.
func TestSigninTooFastSaysHowLong(t *testing.T) {
	cases := []struct {
		lang string
		wait time.Duration
		want string
	}{
		{"en", 1 * time.Second, "Try again in 1 second."},
		{"en", 42 * time.Second, "Try again in 42 seconds."},
		{"en", 61 * time.Second, "Try again in 2 minutes."},
		{"en", 15 * time.Minute, "Try again in 15 minutes."},
		{"fr", 1 * time.Minute, "Réessayez dans 1 minute."},
		{"fr", 30 * time.Second, "Réessayez dans 30 secondes."},
		{"ar", 2 * time.Minute, "بعد دقيقتين."},
		{"ar", 5 * time.Minute, "بعد 5 دقائق."},
		{"ar", 11 * time.Second, "بعد 11 ثانية."},
	}
	for _, c := range cases {
		t.Run(c.lang+" "+c.wait.String(), func(t *testing.T) {
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			h, err := web.New(web.Config{Identity: busyIdentity{wait: c.wait}, Cases: struct{ web.Cases }{},
				Referrals: struct{ web.Referrals }{}, SessionKey: key})
			if err != nil {
				t.Fatal(err)
			}
			// The browser asks for the page in c.lang.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Header.Set("Accept-Language", c.lang)
				h.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			form := visit(t, srv, "", "/signin", nil)
			got := visit(t, srv, form.cookie, "/signin", url.Values{"csrf": {form.csrf(t)},
				"email": {"officer@example.org"}, "password": {"secret secret"}, "otp": {"123456"}})
			if body := html.UnescapeString(got.body); got.status != http.StatusTooManyRequests || !strings.Contains(body, c.want) {
				t.Fatalf("%d, page without %q:\n%s", got.status, c.want, body)
			}
		})
	}
}
