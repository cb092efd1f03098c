//go:build browser

package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// A guardian opens the child's case; the officer in charge prints the
// access report and the copy of the file in the person's language — once
// in English and once in Arabic. Another organisation, and the guardian,
// get no report or copy; script typed into the fields stays text.
func TestGuardianAndRights(t *testing.T) {
	t.Parallel()
	shots, axe := artefacts(t), loadAxe(t)
	for _, lang := range []string{"en", "ar", "fr"} {
		t.Run(lang, func(t *testing.T) {
			// Each language on a server of its own, side by side.
			t.Parallel()
			s := startServer(t)
			inspector := newBrowser(t, s, "en", shots, axe)
			inspector.signIn(s.creds["inspector@labour.demo"])
			if lang == "en" {
				inspector.sidewaysCaught(t)
			}
			name := "Yasmine " + lang + " " + xss
			guardian := newBrowser(t, s, lang, shots, axe)
			guardian.open("/signin")
			guardian.chooseLanguage(lang)
			guardian.signIn(s.creds["guardian@child.demo"])
			guardian.open("/account")
			number := strings.TrimSpace(guardian.text(`#user-id`))

			officer := newBrowser(t, s, lang, shots, axe)
			officer.open("/signin")
			officer.chooseLanguage(lang)
			officer.signIn(s.creds["officer@police.demo"])
			officer.open("/cases/new")
			officer.fillRegistration(name)
			officer.run(chromedp.Click(chromedp.CSS(`#f-age_group-child`)))
			officer.submit(`button[value=register]`)
			casePath := strings.TrimPrefix(officer.location(), s.base)
			id := strings.TrimPrefix(casePath, "/cases/")
			if !uuidLike(id) {
				t.Fatalf("after registering a child: %s\n%s", casePath, officer.text(`main`))
			}

			// A wrong number is refused beside its field, and kept as text.
			officer.run(chromedp.SendKeys(chromedp.CSS(`#f-user_id`), xss))
			officer.submit(`#guardian button[type=submit]`)
			if n := get(officer, chromedp.Evaluate[int](`document.querySelectorAll(".error-summary a[href='#f-user_id'], #e-user_id").length`)); n != 2 {
				t.Fatalf("a wrong guardian number: %d error elements, want the summary's and the field's", n)
			}
			if v := get(officer, chromedp.Evaluate[string](`document.querySelector("#f-user_id").value`)); v != xss {
				t.Fatalf("the number typed came back as %q", v)
			}
			officer.noScriptRan()
			officer.check("guardian-appoint-error")
			officer.run(chromedp.SetValue(chromedp.CSS(`#f-user_id`), number))
			if ok := get(officer, chromedp.Evaluate[bool](`(() => { const s = document.querySelector("#f-org_id");
				const o = [...s.options].find(o => o.textContent.includes("Child protection")); if (!o) return false; s.value = o.value; return true; })()`)); !ok {
				t.Fatalf("the child-protection association is not offered: %s", officer.text(`#f-org_id`))
			}
			officer.submit(`#guardian button[type=submit]`)
			if got := officer.text(`.flash`); got != officer.t0("guardian.appoint.done") {
				t.Fatalf("after appointing: %q\n%s", got, officer.text(`main`))
			}

			// The guardian finds the child: the notice of the appointment
			// travels through the outbox.
			link := `main a[href="/children/` + id + `"]`
			guardian.waitFor("/children", link)
			guardian.check("children")
			guardian.submit(link)
			if body := guardian.text(`main`); !strings.Contains(body, name) || !strings.Contains(body, guardian.t0("guardian.step.bia")) {
				t.Fatalf("the child's page lacks the name or the best-interests step: %q", body)
			}
			guardian.noScriptRan()
			guardian.open("/children/" + id) // a first visit, not htmx's swap
			guardian.weight("child")
			guardian.check("child")

			// The officer prints the access report and the copy, in the
			// person's language (the first they speak: lang).
			for _, p := range []struct{ path, shot, want string }{
				{casePath + "/access-report", "access-report", officer.t0("rights.report.heading")},
				{casePath + "/copy", "file-copy", name},
			} {
				officer.open(p.path)
				if got := get(officer, chromedp.Evaluate[string](`document.querySelector("article.handout").lang`)); got != lang {
					t.Fatalf("%s: handed over in %q, want %q", p.path, got, lang)
				}
				if body := officer.text(`article.handout`); !strings.Contains(body, p.want) {
					t.Fatalf("%s lacks %q: %q", p.path, p.want, body)
				}
				officer.noScriptRan()
				officer.weight(p.shot)
				officer.check(p.shot)
				officer.printed(p.shot)
			}
			officer.open(casePath + "/access-report")
			if n := get(officer, chromedp.Evaluate[int](`document.querySelectorAll("article.handout tbody tr").length`)); n < 2 {
				t.Fatalf("the access report lists %d accesses; the officer's and the guardian's reads at least", n)
			}

			// Another organisation's officer, and the guardian, get neither
			// the report nor the copy; the officer does not follow the
			// child as a guardian.
			for _, c := range []struct {
				who   *browser
				paths []string
			}{
				{inspector, []string{casePath, casePath + "/access-report", casePath + "/copy", "/children/" + id}},
				{guardian, []string{casePath + "/access-report", casePath + "/copy"}},
				{officer, []string{"/children/" + id}},
			} {
				c.who.t = t
				for _, path := range c.paths {
					if st, body := c.who.status(path); st != http.StatusNotFound || strings.Contains(body, "Yasmine") {
						t.Errorf("GET %s: %d %q", path, st, body)
					}
				}
			}
		})
	}
}

// sidewaysCaught checks the sideways check itself: a page made too wide,
// to either side, is caught.
func (b *browser) sidewaysCaught(t *testing.T) {
	t.Helper()
	b.open("/account")
	b.run(chromedp.EmulateViewport(360, 740))
	for _, dir := range []string{"ltr", "rtl"} {
		b.run(chromedp.Evaluate[chromedp.Void](`(() => { document.documentElement.dir = "` + dir + `";
			document.querySelectorAll(".too-wide").forEach(e => e.remove());
			const d = document.createElement("div"); d.className = "too-wide"; d.style.width = "600px"; d.textContent = "x";
			document.querySelector("main").appendChild(d); })()`))
		if len(b.sideScroll()) == 0 {
			t.Fatalf("a page 600 px wide in a 360-px window (%s) was not caught", dir)
		}
	}
	b.run(chromedp.EmulateViewport(1280, 900))
}

func uuidLike(s string) bool { return len(s) == 36 && strings.Count(s, "-") == 4 }

// waitFor reloads path until sel is on it.
func (b *browser) waitFor(path, sel string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b.open(path)
		if get(b, chromedp.Evaluate[bool](`!!document.querySelector(`+jsString(sel)+`)`)) {
			return
		}
		if time.Now().After(deadline) {
			b.fail(context.DeadlineExceeded)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// printed checks the page as printed: the site's header, menu and the
// officer's own words are left out, what is handed over is kept; its
// print preview is saved beside the screenshots.
func (b *browser) printed(name string) {
	b.t.Helper()
	media := func(m string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return chromedp.Void{}, err
		}
	}
	b.run(media("print"))
	defer b.run(media(""))
	shown := get(b, chromedp.Evaluate[string](`["header.top", "main > h1", ".noprint", "footer", "article.handout"].map(s =>
		s + "=" + (getComputedStyle(document.querySelector(s)).display === "none" ? "hidden" : "shown")).join(" ")`))
	if want := "header.top=hidden main > h1=hidden .noprint=hidden footer=hidden article.handout=shown"; shown != want {
		b.t.Errorf("%s printed: %s, want %s", name, shown, want)
	}
	pdf := get(b, chromedp.Action[[]byte](func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, cdppage.PrintToPDF, cdppage.PrintToPDFParams{})
		return r.Data, err
	}))
	if err := os.WriteFile(filepath.Join(b.shot, b.lang+"-"+name+"-print.pdf"), pdf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func jsString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
}

// weight logs the bytes a first visit of the page transfers, compressed:
// the document and every file it loads (as if none were cached).
func (b *browser) weight(name string) {
	b.t.Helper()
	n := get(b, chromedp.Evaluate[int](`[...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
		.reduce((s, e) => s + (e.encodedBodySize || 0) + 300, 0)`))
	b.t.Logf("weight %s (%s): %d bytes compressed, headers counted as 300 bytes a file", name, b.lang, n)
}
