//go:build browser

package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// The browser tests drive Debian's Chromium against a real nrm serve
// --demo. Screenshots of every page (desktop and 360 px) go to
// $NRM_ARTEFACTS, or a temporary directory whose path is logged.

const chromium = "/usr/bin/chromium"

type cred struct{ email, password, secret, ticket string }

type server struct {
	base  string
	creds map[string]cred

	mu    sync.Mutex
	steps map[string]int64 // the last TOTP time step spent, by email
}

var credRe = regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+\S+\s+password (\S+)\s+id \S+\n\s+totp (\S+)\n\s+ticket (\S+)`)

// The nrm binary, built once for the test binary: each test starts its
// own server from it.
var nrmBinary struct {
	once      sync.Once
	dir, path string
	err       error
}

func buildNRM(t *testing.T) string {
	t.Helper()
	nrmBinary.once.Do(func() {
		nrmBinary.dir, nrmBinary.err = os.MkdirTemp("", "nrm-browser-bin")
		if nrmBinary.err != nil {
			return
		}
		nrmBinary.path = filepath.Join(nrmBinary.dir, "nrm")
		if out, err := exec.Command("go", "build", "-o", nrmBinary.path, "../../cmd/nrm").CombinedOutput(); err != nil {
			nrmBinary.err = fmt.Errorf("build nrm: %v\n%s", err, out)
		}
	})
	if nrmBinary.err != nil {
		t.Fatal(nrmBinary.err)
	}
	return nrmBinary.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopChromiums()
	if nrmBinary.dir != "" {
		_ = os.RemoveAll(nrmBinary.dir)
	}
	os.Exit(code)
}

func startServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	bin := buildNRM(t)
	// Tests run side by side: each metrics listener on a port of its own.
	cmd := exec.Command(bin, "serve", "--demo", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
		"--keys", filepath.Join(dir, "keys"), "--data", filepath.Join(dir, "data"), "--rate-user", "200", "--rate-address", "500")
	stdout, _ := cmd.StdoutPipe()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	s := &server{creds: map[string]cred{}, steps: map[string]int64{}}
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if rest, ok := strings.CutPrefix(line, "nrm: web pages at "); ok {
			s.base = strings.TrimSuffix(strings.Fields(rest)[0], "/")
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if s.base == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("no web address printed:\n%s\n%s", out.String(), stderr.String())
	}
	for _, m := range credRe.FindAllStringSubmatch(out.String(), -1) {
		u, _ := url.Parse(m[3])
		s.creds[m[1]] = cred{m[1], m[2], u.Query().Get("secret"), m[4]}
	}
	return s
}

// code is a TOTP code of secret that email has not spent on this server.
// Identity accepts a code of the current 30-second step or the next and,
// for each user, only of a step later than the last one spent: so a user
// signs in twice within a step without waiting, and a third sign-in waits
// for the next step.
func (s *server) code(t *testing.T, email, secret string) string {
	t.Helper()
	for {
		s.mu.Lock()
		now := time.Now()
		cur := now.Unix() / 30
		step := max(cur, s.steps[email]+1)
		if step <= cur+1 {
			s.steps[email] = step
			s.mu.Unlock()
			code, err := totp.GenerateCode(secret, time.Unix(step*30, 0))
			if err != nil {
				t.Fatalf("secret of %s: %v", email, err)
			}
			return code
		}
		s.mu.Unlock()
		time.Sleep(time.Until(time.Unix((cur+1)*30, 0)))
	}
}

// artefacts is where screenshots go.
func artefacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NRM_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "nrm-browser-artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// browser is one user's browser (its own cookies).
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string // artefact dir
	lang string
	axe  string
	srv  *server
}

// chromiums are the test binary's browsers, one per language (Chromium's
// --lang sets the Accept-Language of the whole browser). Each user's
// browser is a browser context of its own in one of them, with its own
// cookies and storage, made in a fraction of a new process's time.
var chromiums = struct {
	sync.Mutex
	byLang map[string]context.Context
	stop   []context.CancelFunc
}{byLang: map[string]context.Context{}}

func chromiumFor(t *testing.T, lang string) context.Context {
	t.Helper()
	chromiums.Lock()
	defer chromiums.Unlock()
	if ctx, ok := chromiums.byLang[lang]; ok {
		return ctx
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.Flag("headless", true), chromedp.NoSandbox,
		chromedp.Flag("lang", lang), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel2 := chromedp.NewContext(actx)
	// The first call starts the browser and must have no timeout: the
	// browser lives as long as its context.
	if err := chromedp.Do(ctx); err != nil {
		cancel2()
		cancel()
		t.Fatalf("chromium: %v", err)
	}
	chromiums.stop = append(chromiums.stop, cancel2, cancel)
	chromiums.byLang[lang] = ctx
	return ctx
}

func stopChromiums() {
	chromiums.Lock()
	defer chromiums.Unlock()
	for _, stop := range chromiums.stop {
		stop()
	}
}

func newBrowser(t *testing.T, s *server, lang, shots, axe string) *browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(chromiumFor(t, lang), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first call opens the tab, and its window as the browser's own
	// would be. Each step has its own timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, base: s.base, shot: shots, lang: lang, axe: axe, srv: s}
}

// stepTimeout bounds one step, so a page that never comes fails the test
// with a screenshot instead of hanging it.
const stepTimeout = 30 * time.Second

func (b *browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(err)
	}
}

// fail ends the test with what the browser shows: its address, the text
// of the page and a screenshot.
func (b *browser) fail(err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if png, e := chromedp.Run(ctx, chromedp.FullScreenshot(90)); e == nil {
		file := filepath.Join(b.shot, fmt.Sprintf("FAILED-%s-%s.png", b.lang, strings.ReplaceAll(b.t.Name(), "/", "-")))
		_ = os.WriteFile(file, png, 0o644)
		b.t.Logf("screenshot of the failure: %s", file)
	}
	b.t.Fatalf("browser: %v\nat %s:\n%s", err, loc, body)
}

// get runs one action that returns a value.
func get[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return get(b, chromedp.Text(chromedp.CSS(sel)))
}

func (b *browser) location() string { return get(b, chromedp.Location()) }

// load runs the action, which leads to a new page, and waits for that
// page: a full load, or htmx's swap of a boosted link or form. The old
// main element is marked first; the new page has an unmarked one.
func (b *browser) load(a chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.run(chromedp.Evaluate[chromedp.Void](`(document.querySelector("main") || {}).nrmOld = true`), a)
	ctx, cancel := b.step()
	defer cancel()
	for {
		// Evaluation fails while a navigation replaces the document.
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const m = document.querySelector("main");
			return document.readyState === "complete" && !!m && !m.nrmOld && !document.querySelector(".htmx-request"); })()`))
		if err == nil && done {
			return
		}
		if ctx.Err() != nil {
			b.fail(fmt.Errorf("no new page: %w", ctx.Err()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// check takes the page's screenshots at desktop and phone widths and
// runs axe-core on it: no serious or critical violation.
func (b *browser) check(name string) {
	b.t.Helper()
	for _, w := range []struct {
		tag  string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 360, 740}} {
		b.run(chromedp.EmulateViewport(w.w, w.h))
		b.noSideScroll(name, w.tag)
		// The window is made as tall as the page and shot as it is: a
		// shot beyond the window shifts a right-to-left page that htmx
		// swapped in by the width it had before (the page itself is not).
		h := get(b, chromedp.Evaluate[int](`document.scrollingElement.scrollHeight`))
		b.run(chromedp.EmulateViewport(w.w, max(w.h, int64(h))))
		png := get(b, chromedp.CaptureScreenshot())
		file := filepath.Join(b.shot, fmt.Sprintf("%s-%s-%s.png", b.lang, name, w.tag))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.run(chromedp.EmulateViewport(1280, 900))
	get(b, chromedp.Evaluate[bool](b.axe+";true"))
	violations := get(b, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => v.id + ": " + v.help + " (" + v.nodes.map(n => n.target.join(" ")).join(", ") + ")"))`,
		chromedp.EvalAwaitPromise))
	if len(violations) > 0 {
		b.t.Errorf("%s (%s): accessibility violations:\n%s", name, b.lang, strings.Join(violations, "\n"))
	}
}

// signIn signs in with a code not spent yet (codes are single-use).
func (b *browser) signIn(c cred) {
	b.t.Helper()
	if c.secret == "" {
		b.t.Fatalf("no credentials for %s", c.email)
	}
	for range 2 {
		code := b.srv.code(b.t, c.email, c.secret)
		b.open("/signin")
		b.run(chromedp.SendKeys(chromedp.CSS(`#f-email`), c.email),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), c.password),
			chromedp.SendKeys(chromedp.CSS(`#f-otp`), code))
		b.submit(`form[action="/signin"] button[type=submit]`)
		if !strings.HasSuffix(b.location(), "/signin") {
			return
		}
		b.t.Logf("%s: sign-in refused (%q); trying the next code", c.email, b.text(`main`))
	}
	b.t.Fatalf("%s could not sign in", c.email)
}

// chooseLanguage presses the language button.
func (b *browser) chooseLanguage(code string) {
	b.t.Helper()
	b.load(chromedp.Click(chromedp.CSS(`.langs button[value="` + code + `"]`)))
	if got := get(b, chromedp.Evaluate[string](`document.documentElement.lang + " " + document.documentElement.dir`)); got != code+" "+map[bool]string{true: "rtl", false: "ltr"}[code == "ar"] {
		b.t.Fatalf("after choosing %s the page has lang and dir %q", code, got)
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.run(chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
}

// submit presses a button or follows a link and waits for the next page.
func (b *browser) submit(sel string) {
	b.t.Helper()
	b.load(chromedp.Click(chromedp.CSS(sel)))
}

func loadAxe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func httpTestServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// syncBuffer is a bytes.Buffer safe for the server's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
