//go:build browser

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The attacks a browser can carry out against the pages, replayed in
// Chromium against a real nrm serve --demo.
func TestBrowserSecurity(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	shots, axe := artefacts(t), loadAxe(t)

	// An inspector of another organisation registers a case.
	inspector := newBrowser(t, s, "en", shots, axe)
	inspector.signIn(s.creds["inspector@labour.demo"])
	inspector.open("/cases/new")
	inspector.fillRegistration("Other organisation's person")
	inspector.submit(`button[value=register]`)
	otherCase := strings.TrimPrefix(inspector.location(), s.base)
	if !strings.HasPrefix(otherCase, "/cases/") || strings.Contains(otherCase, "new") {
		t.Fatalf("the inspector's registration did not lead to the case: %s", otherCase)
	}

	officer := newBrowser(t, s, "en", shots, axe)
	officer.signIn(s.creds["officer@police.demo"])

	t.Run("another organisation's case page is a 404", func(t *testing.T) {
		officer.t = t
		for _, path := range []string{otherCase, otherCase + "/refer?service=shelter&urgency=normal", otherCase + "/letters"} {
			st, body := officer.status(path)
			if st != http.StatusNotFound || strings.Contains(body, "Other organisation") {
				t.Errorf("GET %s as another organisation's officer: %d %q", path, st, body)
			}
		}
	})

	t.Run("a form posted from another origin is refused", func(t *testing.T) {
		officer.t = t
		// The attacker's page is served from another site (localhost
		// against 127.0.0.1) and posts to the officer's registration and
		// sign-out with a made-up form token.
		evil := httpTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Win a prize</title><main>
<form method="post" action="%[1]s/cases/new" id="register"><input type="hidden" name="csrf" value="x">
<input type="hidden" name="action" value="register"><input type="hidden" name="route" value="nrm"><button id="go-register">Claim</button></form>
<form method="post" action="%[1]s/signout" id="signout"><input type="hidden" name="csrf" value="x"><button id="go-signout">Claim</button></form>
</main></html>`, s.base)
		})
		page := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
		for _, button := range []string{"#go-register", "#go-signout"} {
			officer.open2(page)
			st := officer.clickStatus(button)
			if st != http.StatusForbidden {
				t.Errorf("cross-origin post (%s): %d, want 403", button, st)
			}
		}
		// Still signed in, and nothing was registered.
		officer.open("/cases")
		if loc := officer.location(); !strings.HasSuffix(loc, "/cases") {
			t.Fatalf("the officer was signed out by another site: %s", loc)
		}
		if n := get(officer, chromedp.Evaluate[int](`document.querySelectorAll("main a[href^='/cases/']:not([href='/cases/new'])").length`)); n != 0 {
			t.Fatalf("a case appeared after the cross-origin post: %d links", n)
		}
	})

	t.Run("the CSP blocks an injected inline script", func(t *testing.T) {
		officer.t = t
		officer.open("/cases/new")
		blocked := get(officer, chromedp.Evaluate[string](`new Promise(resolve => {
			document.addEventListener("securitypolicyviolation", e => resolve(e.violatedDirective));
			const s = document.createElement("script");
			s.textContent = "window.__injected = 1";
			document.body.appendChild(s);
			const i = document.createElement("div");
			i.setAttribute("onclick", "window.__injected = 1");
			document.body.appendChild(i);
			i.click();
			setTimeout(() => resolve(window.__injected === 1 ? "ran" : "no report"), 2000);
		})`, chromedp.EvalAwaitPromise))
		if !strings.HasPrefix(blocked, "script-src") {
			t.Fatalf("injected inline script: %q, want a script-src violation", blocked)
		}
		if ran := get(officer, chromedp.Evaluate[bool](`window.__injected === 1`)); ran {
			t.Fatal("the injected inline script ran")
		}
	})

	t.Run("script typed into every text field is shown as text", func(t *testing.T) {
		officer.t = t
		for _, path := range []string{"/cases/new", "/account/password", "/account/authenticator"} {
			officer.open(path)
			n := get(officer, chromedp.Evaluate[int](fmt.Sprintf(`(() => { let n = 0;
				for (const f of document.querySelectorAll("main input[type=text], main input[type=email], main input[type=password], main input:not([type]), main textarea")) { f.value = %q; n++; }
				return n; })()`, xss)))
			if n == 0 {
				t.Fatalf("%s: no text field", path)
			}
			officer.submit(`main form button.primary`)
			officer.noScriptRan()
			// Every text field that came back holds the script as its
			// value, not as markup.
			bad := get(officer, chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll("main input[type=text], main input:not([type]), main textarea")]
				.filter(f => f.value !== "" && f.value !== %q).map(f => f.name + "=" + f.value)`, xss)))
			if len(bad) > 0 {
				t.Errorf("%s: fields came back changed: %q", path, bad)
			}
			if n := get(officer, chromedp.Evaluate[int](`document.querySelectorAll("main script, main img[src=x]").length`)); n != 0 {
				t.Errorf("%s: %d injected elements in the page", path, n)
			}
		}
	})
}

// open2 navigates to a page that is not one of ours.
func (b *browser) open2(url string) {
	b.t.Helper()
	b.run(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`main`)))
}

// status loads a page of ours and returns its HTTP status and text.
func (b *browser) status(path string) (int, string) {
	b.t.Helper()
	resp := get(b, chromedp.NavigateResponse(b.base+path))
	return int(resp.Status), b.text(`main`)
}

// clickStatus presses a button that posts a form and returns the HTTP
// status of the page it leads to.
func (b *browser) clickStatus(sel string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.fail(err)
	}
	return int(resp.Status)
}
