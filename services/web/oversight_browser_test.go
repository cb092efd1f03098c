//go:build browser

package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The auditor finds an officer's read of a case in the log and checks its
// inclusion proof in the page; an organisation's admin creates a user,
// resets their second factor, and the user enrols again — in English,
// Arabic and French, with every page of both roles photographed and checked by
// axe-core.
func TestAuditorAndAdminJourneys(t *testing.T) {
	t.Parallel()
	shots, axe := artefacts(t), loadAxe(t)
	for _, lang := range []string{"en", "ar", "fr"} {
		t.Run(lang, func(t *testing.T) {
			// Each language's journeys on a server of their own, side by side.
			t.Parallel()
			s := startServer(t)
			// An officer registers a person and reads the case.
			name := "Person " + lang + " " + xss
			officer := newBrowser(t, s, lang, shots, axe)
			officer.signIn(s.creds["officer@police.demo"])
			officer.open("/cases/new")
			officer.fillRegistration(name)
			officer.submit(`button[value=register]`)
			casePath := strings.TrimPrefix(officer.location(), s.base)
			caseID := strings.TrimPrefix(casePath, "/cases/")
			if len(caseID) != 36 {
				t.Fatalf("after registering: %s", casePath)
			}

			auditor := newBrowser(t, s, lang, shots, axe)
			auditor.open("/signin")
			auditor.chooseLanguage(lang)
			auditor.signIn(s.creds["auditor@commission.demo"])
			if loc := auditor.location(); !strings.HasSuffix(loc, "/audit") {
				t.Fatalf("the auditor lands on %s", loc)
			}
			auditor.oversee("audit-log")

			// Wrong filters are named beside their fields.
			auditor.run(chromedp.SendKeys(chromedp.CSS(`#f-actor`), "a b"), chromedp.SendKeys(chromedp.CSS(`#f-action`), "read"))
			auditor.submit(`form.audit-filters button.primary`)
			if n := get(auditor, chromedp.Evaluate[int](`document.querySelectorAll(".field-error").length`)); n != 2 {
				t.Fatalf("%d field errors for two wrong filters", n)
			}
			auditor.oversee("audit-log-errors")

			// The officer's read of the case page (case, tracks and record in
			// one event), found by the case's id.
			auditor.open("/audit?object_type=case&object_id=" + caseID + "&action=intake.case_tracks_record.read")
			row := get(auditor, chromedp.Evaluate[string](`(() => { const r = document.querySelector("table.events tbody tr"); return r ? r.innerText : ""; })()`))
			if !strings.Contains(row, "intake.case_tracks_record.read") || !strings.Contains(row, caseID) {
				t.Fatalf("the case's read is not in the log: %q", row)
			}
			auditor.oversee("audit-log-case")
			if body := auditor.text(`main`); strings.Contains(body, "Person ") {
				t.Fatalf("the auditor's log shows case content: %q", body)
			}

			// Its inclusion proof, once a checkpoint covers it.
			auditor.submit(`table.events tbody tr a[href^="/audit/events/"]`)
			proofPath := strings.TrimPrefix(auditor.location(), s.base)
			for i := 0; get(auditor, chromedp.Evaluate[int](`document.querySelectorAll(".verdict").length`)) == 0; i++ {
				if i == 30 {
					t.Fatalf("no checkpoint covered the event in 30 s: %q", auditor.text(`main`))
				}
				time.Sleep(time.Second)
				auditor.open(proofPath)
			}
			if n := get(auditor, chromedp.Evaluate[int](`document.querySelectorAll(".verdict.ok").length`)); n != 1 {
				t.Fatalf("the proof is not verified: %q", auditor.text(`main`))
			}
			steps := get(auditor, chromedp.Evaluate[int](`document.querySelectorAll("ol.proof li").length`))
			computed := get(auditor, chromedp.Evaluate[[]string](`[...document.querySelectorAll("section[aria-labelledby=steps-h] dd code.hash, section[aria-labelledby=cp-h] dd code.hash")].map(c => c.textContent)`))
			if steps < 2 || len(computed) != 3 || computed[0] != computed[1] || computed[1] != computed[2] {
				t.Fatalf("proof page: %d steps, roots %q (computed, answered, signed must agree)", steps, computed)
			}
			auditor.oversee("audit-proof")

			auditor.open("/audit/checkpoint")
			if n := get(auditor, chromedp.Evaluate[int](`document.querySelectorAll(".verdict.ok").length`)); n != 1 {
				t.Fatalf("the checkpoint does not verify: %q", auditor.text(`main`))
			}
			auditor.oversee("audit-checkpoint")
			auditor.open("/audit/alerts")
			auditor.oversee("audit-alerts")
			auditor.open("/audit/break-glass")
			auditor.oversee("audit-breakglass")
			if st, _ := auditor.status(casePath); st != http.StatusNotFound {
				t.Fatalf("the auditor opens the case page: %d", st)
			}

			// The organisation's admin creates a user.
			admin := newBrowser(t, s, lang, shots, axe)
			admin.open("/signin")
			admin.chooseLanguage(lang)
			admin.signIn(s.creds["admin@police.demo"])
			if loc := admin.location(); !strings.HasSuffix(loc, "/admin/users") {
				t.Fatalf("the admin lands on %s", loc)
			}
			offered := get(admin, chromedp.Evaluate[[]string](`[...document.querySelectorAll("input[name=roles]")].map(i => i.value)`))
			if strings.Join(offered, ",") != "frontline_officer" {
				t.Fatalf("a police organisation's admin is offered roles %q", offered)
			}
			admin.oversee("admin-users")
			admin.submit(`#newuser button.primary`)
			if n := get(admin, chromedp.Evaluate[int](`document.querySelectorAll(".field-error").length`)); n != 3 {
				t.Fatalf("%d field errors for an empty new user", n)
			}
			admin.oversee("admin-users-errors")
			email := "new-" + lang + "@police.demo"
			admin.run(chromedp.SendKeys(chromedp.CSS(`#f-email`), email), chromedp.SendKeys(chromedp.CSS(`#f-display_name`), "New officer "+xss),
				chromedp.Click(chromedp.CSS(`#f-roles-frontline_officer`)))
			admin.submit(`#newuser button.primary`)
			password, ticket := admin.text(`#issued-password`), admin.text(`#issued-ticket`)
			if password == "" || ticket == "" {
				t.Fatalf("no password or ticket shown: %q", admin.text(`main`))
			}
			admin.oversee("admin-issued")
			secret := enrolNew(t, s, lang, shots, axe, email, password, ticket)

			// The user lost their phone: the admin resets the second
			// factor; the old secret no longer works, the user enrols again.
			admin.open("/admin/users")
			admin.noScriptRan()
			admin.submit(fmt.Sprintf(`form[action$="/reset-factor"]:has(input[name=email][value=%q]) button`, email))
			ticket2 := admin.text(`#issued-ticket`)
			if ticket2 == "" || ticket2 == ticket {
				t.Fatalf("no new ticket after the reset: %q", admin.text(`main`))
			}
			admin.oversee("admin-reset")
			if secret2 := enrolNew(t, s, lang, shots, axe, email, password, ticket2); secret2 == secret {
				t.Fatal("re-enrolment gave the old secret back")
			}

			// Disable, then enable again.
			admin.open("/admin/users")
			admin.submit(fmt.Sprintf(`tr:has(form input[value=%q]) form[action$="/disable"] button`, email))
			admin.oversee("admin-disabled")
			admin.submit(fmt.Sprintf(`tr:has(form input[value=%q]) form[action$="/enable"] button`, email))
			admin.open("/admin/provider")
			admin.oversee("admin-provider-none")
			// Its own key ring only (the officer's case made it).
			admin.open("/admin/keys")
			if n := get(admin, chromedp.Evaluate[int](`document.querySelectorAll("table.stack tbody tr").length`)); n != 1 {
				t.Fatalf("the police admin sees %d key rings, want its own", n)
			}
			admin.oversee("admin-keys")

			// The system admin: organisations, and a provider's webhook
			// secret shown once.
			sys := newBrowser(t, s, lang, shots, axe)
			sys.open("/signin")
			sys.chooseLanguage(lang)
			sys.signIn(s.creds["sysadmin@commission.demo"])
			sys.open("/admin/orgs")
			sys.oversee("admin-orgs")
			// The police's ring (the only one the demo has made so far) is
			// another organisation's: the commission's system admin sees it.
			sys.open("/admin/keys")
			if rows := sys.text(`table.stack tbody`); !strings.Contains(rows, "Brigade") {
				t.Fatalf("the system admin does not see the police's key ring: %q", rows)
			}
			sys.oversee("admin-keys-all")
			sys.open("/admin/provider")
			shelter := get(sys, chromedp.Evaluate[string](`(() => { const r = [...document.querySelectorAll("#f-org option")].find(o => o.textContent.includes("shelter")); return r ? r.value : ""; })()`))
			if shelter == "" {
				t.Fatal("no shelter organisation in the picker")
			}
			sys.open("/admin/provider?org=" + shelter)
			sys.oversee("admin-provider")
			sys.submit(`form[action$="/webhook-secret"] button`)
			if sec := sys.text(`#webhook-secret`); len(sec) < 32 {
				t.Fatalf("no webhook secret shown: %q", sec)
			}
			sys.oversee("admin-provider-secret")
			sys.open("/admin/provider?org=" + shelter)
			if n := get(sys, chromedp.Evaluate[int](`document.querySelectorAll("#webhook-secret").length`)); n != 0 {
				t.Fatal("the webhook secret is shown again")
			}

			// Another organisation's users are out of the admin's reach.
			if st, body := admin.status("/admin/users?org=" + shelter); st != http.StatusNotFound || strings.Contains(body, "caseworker@") {
				t.Fatalf("the police admin opens the shelter's users: %d", st)
			}
			if st, _ := admin.status("/admin/provider?org=" + shelter); st != http.StatusNotFound {
				t.Fatalf("the police admin opens the shelter's directory entry: %d", st)
			}
			if st, _ := admin.status("/admin/orgs"); st == http.StatusOK && strings.Contains(admin.text(`main`), "shelter") {
				t.Fatal("the police admin lists other organisations")
			}
		})
	}
}

// enrolNew is a user's enrolment with the first password and a ticket an
// administrator handed over; it signs in with a code of the new secret and
// returns the secret.
func enrolNew(t *testing.T, s *server, lang, shots, axe, email, password, ticket string) string {
	t.Helper()
	b := newBrowser(t, s, lang, shots, axe)
	b.open("/signin")
	b.chooseLanguage(lang)
	b.open("/enrol")
	b.run(chromedp.SendKeys(chromedp.CSS(`#f-email`), email), chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.SendKeys(chromedp.CSS(`#f-ticket`), ticket))
	b.submit(`form[action="/enrol"] button[type=submit]`)
	secret := strings.ReplaceAll(b.text(`code.secret`), " ", "")
	for attempt := 0; ; attempt++ {
		// A user's code is accepted once per 30-second step, whichever
		// secret made it (s.code keeps count of both).
		code := s.code(t, email, secret)
		b.run(chromedp.SetValue(chromedp.CSS(`#f-password`), password), chromedp.SetValue(chromedp.CSS(`#f-otp`), code))
		b.submit(`form[action="/enrol"] button[type=submit]`)
		if loc := b.location(); !strings.HasSuffix(loc, "/enrol") && !strings.HasSuffix(loc, "/signin") {
			return secret
		}
		if attempt == 1 {
			t.Fatalf("%s not signed in after enrolling: %s", email, b.text(`main`))
		}
	}
}

// Cross-origin posts to the auditors' and administrators' forms are
// refused, whatever form token they carry.
func TestOversightCrossOrigin(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	shots, axe := artefacts(t), loadAxe(t)
	admin := newBrowser(t, s, "en", shots, axe)
	admin.signIn(s.creds["admin@police.demo"])
	evil := httpTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Prize</title><main>
<form method="post" action="%[1]s/admin/users" id="create"><input type="hidden" name="csrf" value="x">
<input type="hidden" name="email" value="mole@police.demo"><input type="hidden" name="display_name" value="Mole">
<input type="hidden" name="roles" value="frontline_officer"><button id="go-create">Claim</button></form>
<form method="post" action="%[1]s/admin/users/00000000-0000-4000-8000-000000000000/reset-factor" id="reset"><input type="hidden" name="csrf" value="x"><button id="go-reset">Claim</button></form>
</main></html>`, s.base)
	})
	page := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	for _, button := range []string{"#go-create", "#go-reset"} {
		admin.open2(page)
		if st := admin.clickStatus(button); st != http.StatusForbidden {
			t.Errorf("cross-origin post (%s): %d, want 403", button, st)
		}
	}
	admin.open("/admin/users")
	if strings.Contains(admin.text(`main`), "mole@") {
		t.Fatal("a user was created by another site's form")
	}
}

// oversee photographs and checks the page (check), and fails it when the
// page scrolls sideways on a 360-pixel phone.
func (b *browser) oversee(name string) {
	b.t.Helper()
	b.check(name)
	b.run(chromedp.EmulateViewport(360, 740))
	w := get(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	b.run(chromedp.EmulateViewport(1280, 900))
	if w > 360 {
		b.t.Errorf("%s (%s): the page is %d px wide on a 360-px phone", name, b.lang, w)
	}
}
