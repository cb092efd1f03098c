//go:build browser

package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/nrm-project/nrm/services/web"
)

// xss goes into every free-text field: it must come back as text.
const xss = `<script>window.__xss=1</script><img src=x onerror="window.__xss=1">`

// The journey: an officer registers and refers, the provider accepts and
// reads the granted section, the officer submits, the decision maker
// decides RG — in English, Arabic and French.
func TestJourney(t *testing.T) {
	t.Parallel()
	shots, axe := artefacts(t), loadAxe(t)
	for _, lang := range []string{"en", "ar", "fr"} {
		t.Run(lang, func(t *testing.T) {
			// Each language's journey on a server of its own, side by side.
			t.Parallel()
			s := startServer(t)
			name := "Amina " + lang + " " + xss
			officer := newBrowser(t, s, lang, shots, axe)
			officer.open("/signin")
			officer.chooseLanguage(lang)
			officer.check("signin")
			officer.open("/enrol")
			officer.check("enrol")
			officer.signIn(s.creds["officer@police.demo"])
			officer.check("cases-empty")

			// Registration: everything wrong at once first.
			officer.open("/cases/new")
			officer.check("register")
			officer.submit(`button[value=register]`)
			if got := officer.text(`.error-summary`); !strings.Contains(got, officer.t0("errors.title")) {
				t.Fatalf("no error summary: %q", got)
			}
			n := get(officer, chromedp.Evaluate[int](`document.querySelectorAll(".field-error").length`))
			if n < 8 {
				t.Fatalf("%d field errors shown at once, want every missing field", n)
			}
			officer.check("register-errors")

			officer.fillRegistration(name)
			officer.submit(`button[value=register]`)
			casePath := strings.TrimPrefix(officer.location(), s.base)
			if !strings.HasPrefix(casePath, "/cases/") || strings.Contains(casePath, "new") {
				t.Fatalf("after registering: %s", casePath)
			}
			if body := officer.text(`main`); !strings.Contains(body, name) {
				t.Fatalf("case page does not show the name as text: %q", body)
			}
			officer.noScriptRan()
			officer.check("case")

			// Note, then refer to the shelter.
			officer.run(chromedp.SendKeys(chromedp.CSS(`#f-text`), xss))
			officer.submit(`#note button[type=submit]`)
			officer.noScriptRan()
			officer.run(chromedp.SetValue(chromedp.CSS(`#f-service`), "shelter"), chromedp.SetValue(chromedp.CSS(`#f-urgency`), "emergency"))
			officer.submit(`#refer button[type=submit]`)
			officer.check("refer")
			officer.submit(`form[action$="/refer"] button.primary`)
			if body := officer.text(`#referrals`); !strings.Contains(body, web.CodeLabel(lang, "referral", "pending")) {
				t.Fatalf("referral not shown as pending: %q", body)
			}
			officer.open("/cases")
			officer.check("cases")

			// The provider accepts and reads the identity section.
			provider := newBrowser(t, s, lang, shots, axe)
			provider.open("/signin")
			provider.chooseLanguage(lang)
			provider.signIn(s.creds["caseworker@shelter.demo"])
			provider.check("inbox")
			if body := provider.text(`main`); strings.Contains(body, "Amina") {
				t.Fatalf("the offer shows the name before acceptance: %q", body)
			}
			provider.submit(`.card h3 a`)
			provider.check("offer")
			provider.submit(`form[action$="/accept"] button`)
			provider.submit(`a[href^="/cases/"]`)
			if body := provider.text(`main`); !strings.Contains(body, name) {
				t.Fatalf("provider does not read the granted identity section: %q", body)
			}
			provider.noScriptRan()
			provider.check("provider-case")

			// The provider's places: a wrong number is refused beside its
			// field, a right one saved; the accepted person takes a place.
			provider.open("/places")
			provider.run(chromedp.SetValue(chromedp.CSS(`#f-places-shelter`), "-3"))
			provider.submit(`#f-places-shelter ~ button`)
			if n := get(provider, chromedp.Evaluate[int](`document.querySelectorAll(".error-summary, #e-places-shelter").length`)); n != 2 {
				t.Fatalf("negative places: %d error elements, want the summary and the field's", n)
			}
			provider.check("places-error")
			provider.run(chromedp.SetValue(chromedp.CSS(`#f-places-shelter`), "20"))
			provider.submit(`#f-places-shelter ~ button`)
			if got := get(provider, chromedp.Evaluate[string](`document.querySelector("#f-places-shelter").value + " " + document.querySelector(".flash").textContent`)); got != "20 "+provider.t0("places.saved") {
				t.Fatalf("after saving 20 places: %q", got)
			}
			provider.check("places")

			// The officer submits; the decision maker decides RG.
			officer.open(casePath)
			officer.submit(`form[action$="/submit"] button`)
			officer.check("case-submitted")
			officer.open("/cases")
			if due := officer.text(`td[data-label="` + officer.t0("cases.decisiondue") + `"]`); due == "—" || due == "" {
				t.Fatalf("my cases shows no decision due date after submission: %q", due)
			}
			officer.check("cases-submitted")

			dm := newBrowser(t, s, lang, shots, axe)
			dm.open("/signin")
			dm.chooseLanguage(lang)
			if lang == "en" {
				// A first sign-in: the QR code, then a code made from it.
				dm.enrol(s.creds["decisions@authority.demo"])
			} else {
				dm.signIn(s.creds["decisions@authority.demo"])
			}
			dm.check("queue")
			dm.open(casePath)
			dm.check("decision")
			dm.run(chromedp.Click(chromedp.CSS(`#f-to-rg_positive`)), chromedp.SendKeys(chromedp.CSS(`#f-reason`), "Indicators of exploitation "+xss))
			dm.submit(`#decision button.primary`)
			if body := dm.text(`main`); !strings.Contains(body, web.CodeLabel(lang, "decision", "rg_positive")) {
				t.Fatalf("decision not shown: %q", body)
			}
			dm.noScriptRan()
			dm.open(casePath + "/letters")
			dm.noScriptRan()
			dm.check("letters")
		})
	}
}

func (b *browser) noScriptRan() {
	b.t.Helper()
	ran := get(b, chromedp.Evaluate[bool](`window.__xss === 1`))
	if ran {
		b.t.Fatalf("a script typed into a field ran on %s", b.location())
	}
}

// t0 is the page's own text for key, read from the catalogue through a
// page: the browser tests know no translations of their own.
func (b *browser) t0(key string) string {
	return web.CatalogueText(b.lang, key)
}

// enrol is a new user's first sign-in: password and enrolment ticket, then
// the QR code page, whose secret (shown for typing by hand) makes the code
// typed with the password again.
func (b *browser) enrol(c cred) {
	b.t.Helper()
	b.open("/enrol")
	b.run(chromedp.SendKeys(chromedp.CSS(`#f-email`), c.email), chromedp.SendKeys(chromedp.CSS(`#f-password`), c.password),
		chromedp.SendKeys(chromedp.CSS(`#f-ticket`), c.ticket))
	b.submit(`form[action="/enrol"] button[type=submit]`)
	if n := get(b, chromedp.Evaluate[int](`document.querySelectorAll("img[src^='data:image/png']").length`)); n != 1 {
		b.t.Fatalf("the enrolment page shows %d QR images", n)
	}
	secret := strings.ReplaceAll(b.text(`code.secret`), " ", "")
	if secret != c.secret {
		b.t.Fatalf("the page shows secret %q, the demo printed %q", secret, c.secret)
	}
	b.check("enrol-code")
	code := b.srv.code(b.t, c.email, secret)
	b.run(chromedp.SendKeys(chromedp.CSS(`#f-password`), c.password), chromedp.SendKeys(chromedp.CSS(`#f-otp`), code))
	b.submit(`form[action="/enrol"] button[type=submit]`)
	if loc := b.location(); strings.HasSuffix(loc, "/enrol") {
		b.t.Fatalf("still on the enrolment page after a right code: %s", b.text(`main`))
	}
}

// fillRegistration fills the registration form of an adult woman who
// needs shelter, with name as her name and script in every free-text
// field of the sections.
func (b *browser) fillRegistration(name string) {
	b.t.Helper()
	b.run(
		chromedp.Click(chromedp.CSS(`#f-route-nrm`)),
		chromedp.SetValue(chromedp.CSS(`#f-region`), "MA-06"),
		chromedp.SetValue(chromedp.CSS(`#f-gender`), "female"),
		chromedp.Click(chromedp.CSS(`#f-age_group-adult`)),
		chromedp.SendKeys(chromedp.CSS(`#f-nationalities`), "NG"),
		chromedp.SendKeys(chromedp.CSS(`#f-languages`), b.lang+", fr"),
		chromedp.Click(chromedp.CSS(`#f-consent\.assistance`)),
		chromedp.Click(chromedp.CSS(`#f-consent\.nrm_referral`)),
		chromedp.Click(chromedp.CSS(`#f-consent\.data_sharing`)),
		chromedp.Click(chromedp.CSS(`#f-exploitation_types-sexual`)),
		chromedp.SetValue(chromedp.CSS(`#f-exploitation_location`), "both"),
		chromedp.Click(chromedp.CSS(`#f-needs-shelter`)),
	)
	// The name is typed, key by key; the script goes into the other
	// fields as their value (the server sees the same form, and three
	// keystrokes a character, eight fields over, were the slowest step of
	// the suite on a loaded machine).
	b.run(chromedp.SendKeys(chromedp.CSS(`#f-identity\.full_name`), name))
	b.run(
		chromedp.SetValue(chromedp.CSS(`#f-identity\.contacts`), xss),
		chromedp.SetValue(chromedp.CSS(`#f-identity\.documents`), xss),
		chromedp.SetValue(chromedp.CSS(`#f-narrative\.account`), xss),
		chromedp.SetValue(chromedp.CSS(`#f-health\.notes`), xss),
		chromedp.SetValue(chromedp.CSS(`#f-legal\.notes`), xss),
		chromedp.SetValue(chromedp.CSS(`#f-legal\.immigration_status`), xss),
		chromedp.SetValue(chromedp.CSS(`#f-legal\.proceedings`), xss),
	)
}
