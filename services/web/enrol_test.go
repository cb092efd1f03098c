package web_test

import (
	"crypto/rand"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/identity/identitytest"
	"github.com/nrm-project/nrm/services/web"
)

var (
	csrfRe   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	secretRe = regexp.MustCompile(`<code class="secret"[^>]*>([^<]+)</code>`)
)

// page is one answer of the pages: status, body and the session cookie.
type page struct {
	status int
	body   string
	cookie string
}

// visit requests path with cookie (the session cookie's value, or none),
// posting form when it is not nil.
func visit(t *testing.T, srv *httptest.Server, cookie, path string, form url.Values) page {
	t.Helper()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "nrm_session", Value: cookie})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := page{status: resp.StatusCode, body: string(b), cookie: cookie}
	for _, ck := range resp.Cookies() {
		if ck.Name == "nrm_session" {
			p.cookie = ck.Value
		}
	}
	return p
}

func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no form token on the page (%d)", p.status)
	}
	return html.UnescapeString(m[1])
}

// TestEnrolmentCookieHoldsNoSecret replays a stolen cookie of a first
// sign-in: the QR code page was shown once; whoever holds the cookie
// afterwards neither sees the secret again nor signs in with it, since the
// cookie holds no password.
func TestEnrolmentCookieHoldsNoSecret(t *testing.T) {
	env := identitytest.New(t, dbtest.SQLite(t))
	o := env.Org(t, "Police", "police")
	u := env.User(t, o.ID, "officer@example.org", auth.RoleFrontlineOfficer)
	tk, err := env.Service.IssueEnrolmentTicket(identitytest.System(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := web.New(web.Config{Identity: env.Service, Cases: struct{ web.Cases }{}, Referrals: struct{ web.Referrals }{},
		SessionKey: key, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	form := visit(t, srv, "", "/enrol", nil)
	for _, want := range []string{`name=&#34;ticket&#34;`, web.CatalogueText("en", "label.ticket"), web.CatalogueText("en", "hint.ticket")} {
		if !strings.Contains(html.UnescapeString(form.body), html.UnescapeString(want)) {
			t.Fatalf("the enrolment form lacks %s", want)
		}
	}
	wrong := visit(t, srv, form.cookie, "/enrol", url.Values{"csrf": {form.csrf(t)}, "step": {"credentials"},
		"email": {u.Email}, "password": {u.Password}, "ticket": {"not the ticket"}})
	if wrong.status != http.StatusUnauthorized || secretRe.MatchString(wrong.body) ||
		!strings.Contains(html.UnescapeString(wrong.body), web.CatalogueText("en", "enrol.invalid")) {
		t.Fatalf("the password with a wrong ticket: %d", wrong.status)
	}
	// A refused form is shown again with what was typed, but never the
	// password: the page may be cached, printed or read over a shoulder.
	if strings.Contains(wrong.body, u.Password) || strings.Contains(html.UnescapeString(wrong.body), u.Password) {
		t.Fatal("the refused enrolment form holds the typed password")
	}
	shown := visit(t, srv, wrong.cookie, "/enrol", url.Values{"csrf": {wrong.csrf(t)}, "step": {"credentials"},
		"email": {u.Email}, "password": {u.Password}, "ticket": {tk.Ticket}})
	m := secretRe.FindStringSubmatch(shown.body)
	if shown.status != http.StatusOK || m == nil {
		t.Fatalf("the QR code page: %d, secret shown %v", shown.status, m != nil)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if strings.Contains(shown.cookie, u.Password) {
		t.Fatal("the cookie holds the password in clear")
	}

	stolen := shown.cookie
	again := visit(t, srv, stolen, "/enrol", nil)
	if strings.Contains(strings.ReplaceAll(again.body, " ", ""), secret) {
		t.Fatal("the stolen cookie shows the secret again")
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	thief := visit(t, srv, stolen, "/enrol", url.Values{"csrf": {again.csrf(t)}, "step": {"code"}, "otp": {code}})
	if thief.status == http.StatusSeeOther || thief.status == http.StatusFound {
		t.Fatalf("the stolen cookie and a code signed in (%d)", thief.status)
	}

	// The owner, who scanned the code, types the password with the code.
	owner := visit(t, srv, shown.cookie, "/enrol", url.Values{"csrf": {shown.csrf(t)}, "step": {"code"},
		"password": {u.Password}, "otp": {code}})
	if owner.status != http.StatusSeeOther {
		t.Fatalf("the owner's first sign-in: %d", owner.status)
	}
}
