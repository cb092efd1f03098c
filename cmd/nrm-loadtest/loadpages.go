package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"
)

// The pages scenario: a frontline officer's browser pages, each loaded by
// concurrent clients sharing one signed-in session, and the bytes a
// browser receives for the first page and the case page (HTML, style
// sheet and htmx, gzip accepted as browsers do).

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// pageSession signs in on the pages and returns the session cookie.
func pageSession(ctx context.Context, c *http.Client, base string, cred loadCredential, after string) (string, error) {
	for attempt := 0; attempt < 3; attempt++ {
		code, err := totp.GenerateCode(cred.Secret, time.Now())
		if err != nil {
			return "", err
		}
		if code != after {
			cookie, ok, err := pageSignIn(ctx, c, base, cred, code)
			if err != nil || ok {
				return cookie, err
			}
		}
		// A code is accepted once: wait for the next 30-second step.
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Until(time.Now().Truncate(30 * time.Second).Add(31 * time.Second))):
		}
	}
	return "", errors.New("pages: sign-in failed")
}

func pageSignIn(ctx context.Context, c *http.Client, base string, cred loadCredential, code string) (string, bool, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/signin", nil)
	resp, err := c.Do(req)
	if err != nil {
		return "", false, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(body)
	cookie := sessionCookie(resp)
	if m == nil || cookie == "" {
		return "", false, errors.New("pages: no sign-in form")
	}
	form := url.Values{"csrf": {string(m[1])}, "email": {cred.Email}, "password": {cred.Password}, "otp": {code}}
	req, _ = http.NewRequestWithContext(ctx, "POST", base+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	resp, err = c.Do(req)
	if err != nil {
		return "", false, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", false, nil
	}
	if loc := resp.Header.Get("Location"); loc != "/" {
		return "", false, fmt.Errorf("pages: sign-in led to %s", loc)
	}
	return sessionCookie(resp), true, nil
}

// sessionCookie is the last session cookie the answer sets, the one a
// browser keeps.
func sessionCookie(resp *http.Response) string {
	last := ""
	for _, ck := range resp.Cookies() {
		if ck.Name == "nrm_session" {
			last = ck.Name + "=" + ck.Value
		}
	}
	return last
}

// page fetches path as a browser would and returns the bytes received.
func (l *loader) page(ctx context.Context, path, cookie string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", l.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Accept-Language", "ar-MA,ar;q=0.9,fr;q=0.8")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: status %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
	}
	return int(n), nil
}

// runPages measures each page in turn with the run's clients.
func (l *loader) runPages(ctx context.Context, cred loadCredential, apiCode string, concurrency int, d time.Duration, max int, stdout io.Writer) error {
	if err := l.warmUp(ctx, 20, concurrency); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	fmt.Fprintln(stdout, "signing in on the pages (waits for a fresh authenticator code)...")
	cookie, err := pageSession(ctx, l.client, l.base, cred, apiCode)
	if err != nil {
		return err
	}
	caseID := l.ids[0]
	for _, p := range []struct{ name, path, cookie string }{
		{"first page", "/signin", ""},
		{"case page", "/cases/" + caseID, cookie},
	} {
		total := 0
		for _, path := range []string{p.path, "/static/app.css", "/static/htmx.min.js"} {
			n, err := l.page(ctx, path, p.cookie)
			if err != nil {
				return err
			}
			total += n
		}
		fmt.Fprintf(stdout, "bytes: %s (HTML, style sheet, htmx; gzip accepted): %d\n", p.name, total)
	}
	var failed error
	for _, p := range []struct{ path, cookie string }{
		{"/signin", ""}, {"/cases", cookie}, {"/cases/new", cookie}, {"/cases/{id}", cookie}, {"/static/app.css", ""},
	} {
		op := func(ctx context.Context, rng *rand.Rand) error {
			_, err := l.page(ctx, strings.Replace(p.path, "{id}", l.ids[rng.IntN(len(l.ids))], 1), p.cookie)
			return err
		}
		res := runLoad(ctx, op, concurrency, d, max)
		res.Scenario = "pages GET " + p.path
		res.print(stdout)
		if res.Errors > 0 && failed == nil {
			failed = fmt.Errorf("%s: %d requests failed (first: %s)", p.path, res.Errors, res.FirstError)
		}
	}
	return failed
}
