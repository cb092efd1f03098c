package page

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// CSP allows nothing but this origin's own files: no inline script or
// style, no frames, forms posted only here.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// Config holds what the shared machinery needs: identity for signing in
// and renewing tokens, the session key and limits, and the embedded
// templates and static files (the web package's own).
type Config struct {
	Identity Identity
	// SessionKey (32 bytes) encrypts the session cookie: a subkey of the
	// key directory (keys.PurposeWebSession).
	SessionKey []byte
	// IdleTimeout and AbsoluteTimeout end a session after so long without
	// a request and so long after sign-in (defaults 30 min and 12 h).
	IdleTimeout, AbsoluteTimeout time.Duration
	// Templates holds templates/*.html; Static the files served under
	// /static/.
	Templates, Static fs.FS
	Logger            log.Logger
	Now               func() time.Time
}

// Site is the machinery every page shares: it routes, keeps the session,
// checks the form token and renders. The pages' packages add their
// routes to its mux (Handle).
type Site struct {
	cfg   Config
	box   *cookieBox
	pages map[string]*template.Template
	mux   *http.ServeMux
	csrf  *http.CrossOriginProtection
}

// New returns the site with its own routes (static files, sign-in,
// enrolment, account, language); the caller adds the pages.
func New(cfg Config) (*Site, error) {
	if cfg.Identity == nil || cfg.Templates == nil || cfg.Static == nil {
		return nil, errors.New("web: identity, templates and static files are required")
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	box, err := newCookieBox(cfg.SessionKey, true)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(cfg.Templates)
	if err != nil {
		return nil, err
	}
	h := &Site{cfg: cfg, box: box, pages: pages, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection()}
	h.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Forbidden(w, r, h.Load(r))
	}))
	h.routes()
	return h, nil
}

// Mux is where the pages' packages add their routes.
func (h *Site) Mux() *http.ServeMux { return h.mux }

// Now is the site's clock; Logger its logger.
func (h *Site) Now() time.Time     { return h.cfg.Now() }
func (h *Site) Logger() log.Logger { return h.cfg.Logger }

// SealSession is the cookie value of s (for tests that sign in without
// the sign-in page).
func (h *Site) SealSession(s *Session) (string, error) { return h.box.seal(SessionCookie, s) }

// parsePages parses each page with the layout.
func parsePages(templateFS fs.FS) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "partials") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// ServeHTTP sets the headers every page carries, refuses cross-origin
// posts, and routes.
func (h *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.csrf.Handler(h.mux).ServeHTTP(w, r)
}

// Request is one page request: its session and locale.
type Request struct {
	W   http.ResponseWriter
	R   *http.Request
	S   *Session
	Loc *Locale
}

// Ctx returns the request context carrying the user's access token, the
// way the services' HTTP transports receive it.
func (q *Request) Ctx() context.Context {
	hdr := http.Header{}
	if q.S.Access != "" {
		hdr.Set("Authorization", "Bearer "+q.S.Access)
	}
	return auth.TokenToContext(q.R.Context(), &http.Request{Header: hdr})
}

// HandlerFunc is a page handler.
type HandlerFunc func(q *Request)

// Page wraps fn: session, timeouts, token refresh, form token, locale.
// signedIn pages send anonymous users to sign in.
func (h *Site) Page(signedIn bool, fn HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := &Request{W: w, R: r, S: h.Load(r)}
		q.Loc = h.localeFor(r)
		now := h.cfg.Now()
		if h.expired(q.S, now) {
			h.endSession(q)
			q.S = &Session{CSRF: RandomToken(), Flash: "signin.expired"}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
			if err := r.ParseForm(); err != nil || r.PostForm.Get("csrf") != q.S.CSRF {
				h.Forbidden(w, r, q.S)
				return
			}
		}
		if signedIn {
			if !q.S.SignedIn() {
				h.Save(w, q.S)
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			if err := h.refreshIfDue(q, now); err != nil {
				q.S = &Session{CSRF: RandomToken(), Flash: "signin.expired"}
				h.Save(w, q.S)
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			q.S.Seen = now.Unix()
		}
		h.Save(w, q.S)
		fn(q)
	}
}

// refreshIfDue renews the access token a minute before it expires.
func (h *Site) refreshIfDue(q *Request, now time.Time) error {
	if now.Add(time.Minute).Unix() < q.S.AccessExp {
		return nil
	}
	t, err := h.cfg.Identity.Refresh(q.R.Context(), q.S.Refresh)
	if err != nil {
		return err
	}
	q.S.Access, q.S.Refresh, q.S.AccessExp = t.AccessToken, t.RefreshToken, t.ExpiresAt.Unix()
	return nil
}

// endSession ends the identity session everywhere (best effort: an access
// token past its time is renewed first so the logout is accepted).
func (h *Site) endSession(q *Request) {
	if !q.S.SignedIn() {
		return
	}
	if err := h.refreshIfDue(q, h.cfg.Now()); err == nil {
		if err := h.cfg.Identity.Logout(q.Ctx()); err != nil {
			level.Warn(h.cfg.Logger).Log("msg", "sign-out not recorded by identity", "err", kit.ErrCode(err))
		}
	}
}

// Render writes the named page with status.
func (h *Site) Render(q *Request, status int, name string, v *View) {
	t, ok := h.pages[name]
	if !ok {
		panic("web: no page " + name)
	}
	v.loc, v.s, v.path = q.Loc, q.S, q.R.URL.Path
	if v.s.Flash != "" {
		v.Flash, v.s.Flash = v.s.Flash, ""
		h.Save(q.W, v.s)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		level.Error(h.cfg.Logger).Log("msg", "page failed", "page", name, "err", err)
		http.Error(q.W, "internal error", http.StatusInternalServerError)
		return
	}
	q.W.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.W.WriteHeader(status)
	_, _ = q.W.Write([]byte(b.String()))
}

// Fail renders a service error as the page a user should see: not found
// for anything they may not see, sign-in again when the token is refused.
func (h *Site) Fail(q *Request, err error) {
	e := kit.AsError(err)
	switch {
	case errors.Is(err, kit.ErrUnauthenticated):
		q.S = &Session{CSRF: RandomToken(), Flash: "signin.expired"}
		h.Save(q.W, q.S)
		http.Redirect(q.W, q.R, "/signin", http.StatusSeeOther)
	case e.Status == http.StatusNotFound || e.Status == http.StatusForbidden:
		h.Render(q, http.StatusNotFound, "error", &View{Title: "error.notfound.title", Message: "error.notfound.body"})
	case e.Status == http.StatusTooManyRequests:
		msg, args := busyMessage(e)
		h.Render(q, e.Status, "error", &View{Title: "error.busy.title", Message: msg, Args: args})
	case e.Status >= 500:
		if e.Status == http.StatusInternalServerError {
			level.Error(h.cfg.Logger).Log("msg", "page call failed", "path", q.R.URL.Path, "err", err)
		}
		msg, args := unavailableMessage(e)
		retryAfter(q.W, e)
		h.Render(q, http.StatusServiceUnavailable, "error", &View{Title: "error.unavailable.title", Message: msg, Args: args})
	default:
		h.Render(q, e.Status, "error", &View{Title: "error.refused.title", Message: "error.refused.body", Detail: e.Code})
	}
}

// Forbidden is the page of a refused form.
func (h *Site) Forbidden(w http.ResponseWriter, r *http.Request, s *Session) {
	q := &Request{W: w, R: r, S: s, Loc: h.localeFor(r)}
	h.Render(q, http.StatusForbidden, "error", &View{Title: "error.forbidden.title", Message: "error.forbidden.body"})
}

// NotFound is the page of anything not there or not the user's to see.
func (h *Site) NotFound(q *Request) {
	h.Render(q, http.StatusNotFound, "error", &View{Title: "error.notfound.title", Message: "error.notfound.body"})
}

// Redirect sends the browser on with 303 after a post.
func Redirect(q *Request, path string, args ...any) {
	http.Redirect(q.W, q.R, fmt.Sprintf(path, args...), http.StatusSeeOther)
}
