//go:build browser

package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The national referral desk and the commission's analysts, in English
// and Arabic, against a real nrm serve --demo: the coordinator places a
// referral that found no provider; the analyst releases the quarter,
// reads a table (every figure the API's, suppressed cells shown as
// suppressed), exports it and opens the annual report.
func TestDeskAndCommission(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	shots, axe := artefacts(t), loadAxe(t)

	officer := s.apiLogin(t, "officer@police.demo")
	shelter := s.apiLogin(t, "caseworker@shelter.demo")
	analystAPI := s.apiLogin(t, "analyst@commission.demo")
	// Enough people identified this quarter for some cells to be published.
	for i := range 12 {
		s.register(t, officer, []string{"MA-06", "MA-01", "MA-06"}[i%3])
	}
	unplaced, cases := map[string]string{}, map[string]string{}
	for _, lang := range []string{"en", "ar", "fr"} {
		unplaced[lang], cases[lang] = s.unplacedReferral(t, officer, shelter)
	}
	time.Sleep(2 * time.Second) // the statistics relay polls every 200 ms

	// One browser per user, switching language: each sign-in spends a
	// code, and a code is accepted once.
	desk := newBrowser(t, s, "en", shots, axe)
	desk.signIn(s.creds["desk@authority.demo"])
	for _, lang := range []string{"en", "ar", "fr"} {
		t.Run("desk-"+lang, func(t *testing.T) {
			desk.t, desk.lang = t, lang
			desk.open("/desk")
			if lang != "en" {
				desk.chooseLanguage(lang)
			}
			desk.checkPage("desk")
			link := `a[href="/desk/referrals/` + unplaced[lang] + `"]`
			desk.submit(link)
			desk.checkPage("desk-place")
			// The desk routes; it never sees the case.
			if html := get(desk, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(html, cases[lang]) {
				t.Fatal("the placement page holds the case id")
			}
			// Nothing chosen: the error is beside the list.
			desk.submit(`form[action$="/place"] button.primary`)
			if n := get(desk, chromedp.Evaluate[int](`document.querySelectorAll(".error-summary, #e-org_id").length`)); n != 2 {
				t.Fatalf("placing without a choice: %d error elements", n)
			}
			reasons := desk.text(`.candidate .explain`)
			if !strings.Contains(strings.ToLower(reasons), strings.ToLower(desk.t0("reason.same_region"))) {
				t.Fatalf("the candidate's reasons: %q", reasons)
			}
			desk.run(chromedp.Click(chromedp.CSS(`.candidate input[type=radio]`)))
			desk.submit(`form[action$="/place"] button.primary`)
			if got := desk.text(`.flash`); got != desk.t0("place.done") {
				t.Fatalf("after placing: %q", got)
			}
			if n := get(desk, chromedp.Evaluate[int](`document.querySelectorAll('`+link+`').length`)); n != 0 {
				t.Fatal("the placed referral is still waiting for a place")
			}
			desk.checkPage("desk-placed")
			desk.open("/desk/providers")
			desk.checkPage("desk-providers")
		})
	}

	quarter := fmt.Sprintf("%d-Q%d", time.Now().Year(), (int(time.Now().Month())+2)/3)
	a := newBrowser(t, s, "en", shots, axe)
	a.signIn(s.creds["analyst@commission.demo"])
	if loc := a.location(); !strings.HasSuffix(loc, "/stats") {
		t.Fatalf("the analyst's first page: %s", loc)
	}
	for _, lang := range []string{"en", "ar", "fr"} {
		t.Run("commission-"+lang, func(t *testing.T) {
			a.t, a.lang = t, lang
			a.open("/stats")
			if lang != "en" {
				a.chooseLanguage(lang)
			}
			if n := get(a, chromedp.Evaluate[int](`document.querySelectorAll("form[action='/stats/releases'] button").length`)); n > 0 {
				a.checkPage("stats-norelease")
				a.submit(`form[action="/stats/releases"] button`)
			}
			if n := get(a, chromedp.Evaluate[int](`document.querySelectorAll("[data-cell]").length`)); n == 0 {
				t.Fatalf("no figure on the dashboard: %s", a.text(`main`))
			}
			a.checkPage("stats")
			a.sameFiguresAsAPI(s, analystAPI, "cases_by_age_location", quarter)

			// Another table, along another dimension.
			a.run(chromedp.SetValue(chromedp.CSS(`#f-table`), "region_responder"))
			a.submit(`form.filters button[type=submit]`)
			a.run(chromedp.SetValue(chromedp.CSS(`#f-by`), "first_responder"))
			a.submit(`form.filters button[type=submit]`)
			a.sameFiguresAsAPI(s, analystAPI, "region_responder", quarter)
			a.checkPage("stats-responder")

			csv := get(a, chromedp.Evaluate[string](`(async () => { const r = await fetch(document.querySelector("a[href^='/stats/export']").getAttribute("href"));
				return r.headers.get("content-type") + "\n" + r.headers.get("content-disposition") + "\n" + await r.text(); })()`, chromedp.EvalAwaitPromise))
			lines := strings.Split(csv, "\n")
			if len(lines) < 4 || !strings.HasPrefix(lines[0], "text/csv") || !strings.Contains(lines[1], "attachment") ||
				!strings.HasPrefix(lines[2], "unit,region,first_responder,first_responder_htcds,value,suppressed") {
				t.Fatalf("the CSV export: %q", csv[:min(len(csv), 300)])
			}

			a.open("/stats/releases")
			if body := a.text(`main`); !strings.Contains(body, a.t0("releases.status.provisional")) {
				t.Fatalf("the release list does not show the provisional release: %q", body)
			}
			a.checkPage("stats-releases")

			a.open("/stats/report")
			if n := get(a, chromedp.Evaluate[int](`document.querySelectorAll("form[action='/stats/releases'] button").length`)); n > 0 {
				a.submit(`form[action="/stats/releases"] button`)
			}
			if n := get(a, chromedp.Evaluate[int](`document.querySelectorAll("section.report-table").length`)); n < 10 {
				t.Fatalf("the annual report has %d tables: %s", n, a.text(`main`))
			}
			a.checkPage("stats-report")
			// Printed, the menus and forms are left out.
			hidden := get(a, chromedp.Evaluate[bool](`(() => { for (const r of document.styleSheets[0].cssRules) {
				if (r.media && r.media.mediaText === "print" && r.cssText.includes(".filters")) return true; } return false; })()`))
			if !hidden {
				t.Fatal("no print style hides the report's forms")
			}
		})
	}

	t.Run("security", func(t *testing.T) {
		o := newBrowser(t, s, "en", shots, axe)
		o.signIn(s.creds["inspector@labour.demo"])
		for _, path := range []string{"/desk", "/desk/referrals/" + unplaced["en"], "/stats", "/stats/releases", "/stats/report", "/stats/export"} {
			if st, body := o.status(path); st != http.StatusNotFound && st != http.StatusForbidden || strings.Contains(body, "MA-06") {
				t.Errorf("an officer opens %s: %d", path, st)
			}
		}
		a.t = t
		for _, path := range []string{"/desk", "/desk/referrals/" + unplaced["en"], "/desk/providers"} {
			if st, _ := a.status(path); st != http.StatusNotFound {
				t.Errorf("an analyst opens %s: %d", path, st)
			}
		}
		// Script in every query parameter the pages read comes back as
		// nothing but text, or not at all.
		a.open("/stats?table=" + urlq(xss) + "&period=" + urlq(xss) + "&by=" + urlq(xss) + "&d.age_group=" + urlq(xss))
		a.noScriptRan()
		if n := get(a, chromedp.Evaluate[int](`document.querySelectorAll("main script, main img[src=x]").length`)); n != 0 {
			t.Errorf("%d injected elements on the dashboard", n)
		}
		// A form of another site posting a release or a placement is refused.
		evil := httpTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Prize</title><main>
<form method="post" action="%[1]s/stats/releases"><input type="hidden" name="csrf" value="x"><input type="hidden" name="period" value="%[2]s"><button id="go-release">Claim</button></form>
<form method="post" action="%[1]s/desk/referrals/%[3]s/place"><input type="hidden" name="csrf" value="x"><button id="go-place">Claim</button></form>
</main></html>`, s.base, quarter, unplaced["en"])
		})
		page := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
		for _, button := range []string{"#go-release", "#go-place"} {
			a.open2(page)
			if st := a.clickStatus(button); st != http.StatusForbidden {
				t.Errorf("cross-origin post (%s): %d, want 403", button, st)
			}
		}
	})
}

// checkPage is check plus the phone's width: no page scrolls sideways at
// 360 px.
func (b *browser) checkPage(name string) {
	b.t.Helper()
	b.check(name)
	b.run(chromedp.EmulateViewport(360, 740))
	w := get(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	b.run(chromedp.EmulateViewport(1280, 900))
	if w > 360 {
		b.t.Errorf("%s (%s): the page is %d px wide on a 360 px phone", name, b.lang, w)
	}
}

// sameFiguresAsAPI compares every figure on the page with the API's cell:
// a value is the API's value, a suppressed cell is shown as suppressed
// (the word, no value), and at least one cell is suppressed.
func (b *browser) sameFiguresAsAPI(s *server, token, table, period string) {
	b.t.Helper()
	var api struct {
		Cells []struct {
			Unit       string   `json:"unit"`
			Dims       []string `json:"dims"`
			Value      *int64   `json:"value"`
			Suppressed bool     `json:"suppressed"`
		} `json:"cells"`
	}
	s.api(b.t, token, "GET", "/api/v1/stats/tables/"+table+"?period="+period, nil, &api)
	type cell struct {
		Key, Value, Text string
		Suppressed       bool
	}
	page := get(b, chromedp.Evaluate[[]cell](`[...document.querySelectorAll("[data-cell]")].map(e => ({
		Key: e.dataset.cell, Value: e.dataset.value || "", Text: e.textContent.trim(), Suppressed: e.dataset.suppressed === "true"}))`))
	want := map[string]string{}
	for _, c := range api.Cells {
		k := c.Unit + "|" + strings.Join(c.Dims, "|")
		switch {
		case c.Suppressed || c.Value == nil:
			want[k] = "suppressed"
		default:
			want[k] = fmt.Sprint(*c.Value)
		}
	}
	suppressed := 0
	for _, c := range page {
		w, ok := want[c.Key]
		switch {
		case !ok:
			b.t.Errorf("%s: the page shows a cell the API has not: %s", table, c.Key)
		case c.Suppressed:
			suppressed++
			if w != "suppressed" || c.Value != "" || c.Text != b.t0("stats.suppressed") {
				b.t.Errorf("%s %s: shown as suppressed (%q), the API says %s", table, c.Key, c.Text, w)
			}
		case c.Value != w || digits(c.Text) != w:
			b.t.Errorf("%s %s: the page shows %q (%s), the API %s", table, c.Key, c.Text, c.Value, w)
		}
	}
	if len(page) == 0 || suppressed == 0 {
		b.t.Errorf("%s: %d figures, %d suppressed; want figures and at least one suppressed cell", table, len(page), suppressed)
	}
}

func digits(s string) string {
	var out []rune
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '-' {
			out = append(out, r)
		}
	}
	return string(out)
}

func urlq(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "+", "%2B", " ", "%20", "<", "%3C", ">", "%3E", `"`, "%22", "=", "%3D")
	return r.Replace(s)
}

// apiLogin signs a demo user in on the API with a code not spent yet.
func (s *server) apiLogin(t *testing.T, email string) string {
	t.Helper()
	c := s.creds[email]
	for range 2 {
		var out struct {
			AccessToken string `json:"access_token"`
		}
		if st := s.api(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": c.password, "otp": s.code(t, email, c.secret)}, &out); st == http.StatusOK {
			return out.AccessToken
		}
	}
	t.Fatalf("%s could not sign in on the API", email)
	return ""
}

// api calls the API and decodes the answer into out; it returns the status.
func (s *server) api(t *testing.T, token, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	if resp.StatusCode >= 300 && path != "/api/v1/auth/login" {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// register registers an adult woman in region who needs shelter.
func (s *server) register(t *testing.T, token, region string) string {
	t.Helper()
	var c struct {
		ID string `json:"id"`
	}
	s.api(t, token, "POST", "/api/v1/cases", map[string]any{
		"route": "nrm", "identified_on": time.Now().UTC().Format(time.DateOnly), "region": region, "gender": "female",
		"age_group": "adult", "nationalities": []string{"NG"}, "exploitation_types": []string{"sexual"},
		"exploitation_location": "both", "needs": []string{"shelter"}, "languages": []string{"en", "fr"},
		"consent":  map[string]bool{"assistance": true, "nrm_referral": true, "data_sharing": true},
		"identity": map[string]string{"full_name": "Desk Test " + region}, "narrative": map[string]string{"account": "-"},
	}, &c)
	return c.ID
}

// unplacedReferral refers a new case to the demo shelter in an
// emergency, which declines it: the referral then has no provider left.
func (s *server) unplacedReferral(t *testing.T, officer, shelter string) (referralID, caseID string) {
	t.Helper()
	caseID = s.register(t, officer, "MA-06")
	var r struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	s.api(t, officer, "POST", "/api/v1/referrals", map[string]any{"case_id": caseID, "service": "shelter", "urgency": "emergency"}, &r)
	s.api(t, shelter, "POST", "/api/v1/referrals/"+r.ID+"/decline", map[string]string{"reason": "no_capacity"}, &r)
	if r.Status != "no_provider" {
		t.Fatalf("after the only provider declined: %s", r.Status)
	}
	return r.ID, caseID
}
