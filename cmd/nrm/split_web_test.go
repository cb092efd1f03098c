package main

import (
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/mtls"
)

// TestSplitDeploymentWebPages runs the pages as a process of their own
// (--services web) beside a split deployment: the officer signs in
// through the page and opens their case list, every call made over mutual
// TLS to the services' public routes with the officer's token. The web's
// certificate reaches no internal endpoint, and no other service's
// certificate reaches a public route through an internal listener.
func TestSplitDeploymentWebPages(t *testing.T) {
	t.Parallel()
	d, creds := newSplitDeployment(t)
	base := d.ingress()
	j := &journey{t: t, base: base, officer: login(t, base, creds["officer@police.demo"])}
	id := j.register("splitW01", "en")
	var c struct{ Reference string }
	j.do(200, "GET", "/api/v1/cases/"+id, j.officer, nil, &c)

	w := d.startWeb()
	page := pageClient{t: t, base: w.base, cookies: map[string]string{}}
	if st, body := page.get("/cases"); st != 200 || !strings.Contains(body, `action="/signin"`) {
		t.Fatalf("before signing in /cases ends at %d, not the sign-in page", st)
	}
	page.signin(creds["officer@police.demo"])
	st, body := page.get("/cases")
	if st != 200 || !strings.Contains(body, c.Reference) {
		t.Fatalf("the officer's case list: %d, without %s:\n%s", st, c.Reference, tail(body, 2000))
	}

	// The web's certificate with the officer's token: the internal
	// routes refuse it; another service's certificate: the public routes
	// on an internal listener refuse it.
	as := func(service, callee string) *http.Client {
		id, err := mtls.Load(d.certs, []string{service})
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: id.ClientConfig(callee)}}
	}
	for _, tc := range []struct{ caller, callee, path string }{
		{"web", "intake", "/internal/v1/intake/summary?case_id=" + id},
		{"web", "audit", "/internal/v1/audit/case-events?case_id=" + id},
		{"referral", "intake", "/api/v1/cases/" + id},
	} {
		req, _ := http.NewRequest("GET", "https://"+d.internal[tc.callee][0]+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+j.officer)
		resp, err := as(tc.caller, tc.callee).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s calling %s %s with a user's token: %d, want 403", tc.caller, tc.callee, tc.path, resp.StatusCode)
		}
	}

	// Without identity nobody signs in: the pages' readiness says so.
	d.procs["identity"][0].kill(t)
	for i := 0; ; i++ {
		resp, err := http.Get(w.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable {
				break
			}
		}
		if i == 200 {
			t.Fatal("the pages still ready with identity gone")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startWeb starts the pages with their own key directory (the session
// key and the checkpoints' verifier key, nothing else) and waits until
// they are ready.
func (d *splitDeployment) startWeb() *proc {
	t := d.t
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys-web")
	if out, err := exec.Command(d.bin, "keys", "export", "--keys", d.keys, "--service", "web", "--out", dir).CombinedOutput(); err != nil {
		t.Fatalf("nrm keys export --service web: %v: %s", err, out)
	}
	d.internal["web"] = []string{""} // the pages have no internal listener
	p := d.start("web", 0, dir)
	p.wait(t)
	p.waitReady(t)
	return p
}

// pageClient is a browser without script: cookies kept by hand (the
// session cookie is Secure, and the test speaks plain HTTP).
type pageClient struct {
	t       *testing.T
	base    string
	cookies map[string]string
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (p pageClient) do(method, path string, form url.Values) (int, string) {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, p.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range p.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	hc := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		p.cookies[c.Name] = c.Value
	}
	b, _ := io.ReadAll(resp.Body)
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/") {
		return p.do("GET", loc, nil)
	}
	return resp.StatusCode, string(b)
}

func (p pageClient) get(path string) (int, string) { return p.do("GET", path, nil) }

// signin signs c in through the sign-in page (a code of the next period
// when identity refuses one used already).
func (p pageClient) signin(c demoCredential) {
	p.t.Helper()
	for i := range 3 {
		_, form := p.get("/signin")
		m := csrfRe.FindStringSubmatch(form)
		if m == nil {
			p.t.Fatalf("no form token on the sign-in page:\n%s", tail(form, 2000))
		}
		code := signInCode(p.t, c.secret, i)
		st, body := p.do("POST", "/signin", url.Values{"csrf": {m[1]}, "email": {c.email}, "password": {c.password}, "otp": {code}})
		if st == 200 && !strings.Contains(body, `action="/signin"`) {
			return
		}
	}
	p.t.Fatalf("%s could not sign in through the page", c.email)
}
