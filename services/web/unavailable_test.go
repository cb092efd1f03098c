package web_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/web"
)

// downIdentity fails every sign-in as an unreachable database does: a raw
// connection error, no *kit.Error.
type downIdentity struct{ web.Identity }

func (downIdentity) Login(context.Context, identity.LoginRequest) (identity.Tokens, error) {
	return identity.Tokens{}, fmt.Errorf("identity: user by email: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
}

// A sign-in while the database is unreachable is told, in the user's
// language, that the service is temporarily unavailable and when to try
// again (503), not shown an internal error.
func TestSigninWhileDatabaseDownSaysWhenToRetry(t *testing.T) {
	cases := []struct{ lang, want string }{
		{"en", "temporarily unavailable. Nothing was lost: try again in 5 seconds."},
		{"fr", "momentanément indisponible. Rien n'a été perdu : réessayez dans 5 secondes."},
		{"ar", "الخدمة غير متاحة مؤقتًا. لم يضع شيء: أعد المحاولة بعد 5 ثوانٍ."},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			h, err := web.New(web.Config{Identity: downIdentity{}, Cases: struct{ web.Cases }{},
				Referrals: struct{ web.Referrals }{}, SessionKey: key})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Header.Set("Accept-Language", c.lang)
				h.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			form := visit(t, srv, "", "/signin", nil)
			got := visit(t, srv, form.cookie, "/signin", url.Values{"csrf": {form.csrf(t)},
				"email": {"officer@example.org"}, "password": {"secret secret"}, "otp": {"123456"}})
			if body := html.UnescapeString(got.body); got.status != http.StatusServiceUnavailable || !strings.Contains(body, c.want) {
				t.Fatalf("%d, page without %q:\n%s", got.status, c.want, body)
			}
		})
	}
}
