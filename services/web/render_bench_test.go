package web

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nrm-project/nrm/services/web/page"
)

// BenchmarkPages measures the server's own time for pages that call no
// service (the registration form, the sign-in form): session, form token,
// rendering. go test -bench Pages -benchmem ./services/web/
func BenchmarkPages(b *testing.B) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: struct{ Cases }{}, Referrals: struct{ Referrals }{}, SessionKey: key})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	rec := httptest.NewRecorder()
	h.Save(rec, &page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: page.RandomToken(), UserID: "u", OrgID: "o", Roles: []string{"frontline_officer"}})
	cookie := rec.Result().Cookies()[0]
	for _, p := range []struct{ name, path, lang string }{
		{"register en", "/cases/new", "en"}, {"register ar", "/cases/new", "ar"}, {"account en", "/account", "en"},
	} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, p.path, nil)
				r.Header.Set("Accept-Language", p.lang)
				r.AddCookie(cookie)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, w.Code)
				}
			}
		})
	}
}
