package web

import (
	"context"
	"embed"
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
	"github.com/nrm-project/nrm/services/identity"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// CSP allows nothing but this origin's own files: no inline script or
// style, no frames, forms posted only here.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// Config holds the dependencies of the pages.
type Config struct {
	Identity  Identity
	Cases     Cases
	Referrals Referrals
	// The auditors' and administrators' pages (audit.go, admin.go) are
	// served only when their services are given. AuditVerifierKey checks
	// checkpoint signatures; Witnesses are the directories the log's
	// checkpoints are copied to, compared with the latest.
	Audit            AuditLog
	EmergencyAccess  EmergencyAccess
	Accounts         Accounts
	Directory        Directory
	KeyRings         KeyRings
	Roles            *identity.RolePolicy
	AuditVerifierKey string
	Witnesses        []string
	// Stats serves the commission analysts' pages; nil shows them as
	// unavailable.
	Stats Stats
	// Notices, Rights and Guardians serve the guardians' and the person's
	// rights pages; without them those pages answer not found.
	Notices   Notices
	Rights    Rights
	Guardians Guardians
	// SessionKey (32 bytes) encrypts the session cookie: a subkey of the
	// key directory (keys.PurposeWebSession).
	SessionKey []byte
	// IdleTimeout and AbsoluteTimeout end a session after so long without
	// a request and so long after sign-in (defaults 30 min and 12 h).
	IdleTimeout, AbsoluteTimeout time.Duration
	Logger                       log.Logger
	Now                          func() time.Time
}

// Handler serves the pages.
type Handler struct {
	cfg   Config
	box   *cookieBox
	pages map[string]*template.Template
	mux   *http.ServeMux
	csrf  *http.CrossOriginProtection
}

// New returns the pages' handler, to be mounted at "/".
func New(cfg Config) (*Handler, error) {
	if cfg.Identity == nil || cfg.Cases == nil || cfg.Referrals == nil {
		return nil, errors.New("web: identity, cases and referrals are required")
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
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, box: box, pages: pages, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection()}
	h.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.forbidden(w, r, h.load(r))
	}))
	h.routes()
	return h, nil
}

// parsePages parses each page with the layout.
func parsePages() (map[string]*template.Template, error) {
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
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.csrf.Handler(h.mux).ServeHTTP(w, r)
}

// request is one page request: its session and locale.
type request struct {
	w   http.ResponseWriter
	r   *http.Request
	s   *session
	loc *locale
}

// ctx returns the request context carrying the user's access token, the
// way the services' HTTP transports receive it.
func (q *request) ctx() context.Context {
	hdr := http.Header{}
	if q.s.Access != "" {
		hdr.Set("Authorization", "Bearer "+q.s.Access)
	}
	return auth.TokenToContext(q.r.Context(), &http.Request{Header: hdr})
}

// handlerFunc is a page handler.
type handlerFunc func(q *request)

// page wraps fn: session, timeouts, token refresh, form token, locale.
// signedIn pages send anonymous users to sign in.
func (h *Handler) page(signedIn bool, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := &request{w: w, r: r, s: h.load(r)}
		q.loc = h.localeFor(r)
		now := h.cfg.Now()
		if h.expired(q.s, now) {
			h.endSession(q)
			q.s = &session{CSRF: randomToken(), Flash: "signin.expired"}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
			if err := r.ParseForm(); err != nil || r.PostForm.Get("csrf") != q.s.CSRF {
				h.forbidden(w, r, q.s)
				return
			}
		}
		if signedIn {
			if !q.s.signedIn() {
				h.save(w, q.s)
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			if err := h.refreshIfDue(q, now); err != nil {
				q.s = &session{CSRF: randomToken(), Flash: "signin.expired"}
				h.save(w, q.s)
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			q.s.Seen = now.Unix()
		}
		h.save(w, q.s)
		fn(q)
	}
}

// refreshIfDue renews the access token a minute before it expires.
func (h *Handler) refreshIfDue(q *request, now time.Time) error {
	if now.Add(time.Minute).Unix() < q.s.AccessExp {
		return nil
	}
	t, err := h.cfg.Identity.Refresh(q.r.Context(), q.s.Refresh)
	if err != nil {
		return err
	}
	q.s.Access, q.s.Refresh, q.s.AccessExp = t.AccessToken, t.RefreshToken, t.ExpiresAt.Unix()
	return nil
}

// endSession ends the identity session everywhere (best effort: an access
// token past its time is renewed first so the logout is accepted).
func (h *Handler) endSession(q *request) {
	if !q.s.signedIn() {
		return
	}
	if err := h.refreshIfDue(q, h.cfg.Now()); err == nil {
		if err := h.cfg.Identity.Logout(q.ctx()); err != nil {
			level.Warn(h.cfg.Logger).Log("msg", "sign-out not recorded by identity", "err", kit.ErrCode(err))
		}
	}
}

// render writes the named page with status.
func (h *Handler) render(q *request, status int, name string, v *view) {
	t, ok := h.pages[name]
	if !ok {
		panic("web: no page " + name)
	}
	v.loc, v.s, v.path = q.loc, q.s, q.r.URL.Path
	if v.s.Flash != "" {
		v.Flash, v.s.Flash = v.s.Flash, ""
		h.save(q.w, v.s)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		level.Error(h.cfg.Logger).Log("msg", "page failed", "page", name, "err", err)
		http.Error(q.w, "internal error", http.StatusInternalServerError)
		return
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.WriteHeader(status)
	_, _ = q.w.Write([]byte(b.String()))
}

// fail renders a service error as the page a user should see: not found
// for anything they may not see, sign-in again when the token is refused.
func (h *Handler) fail(q *request, err error) {
	e := kit.AsError(err)
	switch {
	case errors.Is(err, kit.ErrUnauthenticated):
		q.s = &session{CSRF: randomToken(), Flash: "signin.expired"}
		h.save(q.w, q.s)
		http.Redirect(q.w, q.r, "/signin", http.StatusSeeOther)
	case e.Status == http.StatusNotFound || e.Status == http.StatusForbidden:
		h.render(q, http.StatusNotFound, "error", &view{Title: "error.notfound.title", Message: "error.notfound.body"})
	case e.Status == http.StatusTooManyRequests:
		msg, args := busyMessage(e)
		h.render(q, e.Status, "error", &view{Title: "error.busy.title", Message: msg, Args: args})
	case e.Status >= 500:
		if e.Status == http.StatusInternalServerError {
			level.Error(h.cfg.Logger).Log("msg", "page call failed", "path", q.r.URL.Path, "err", err)
		}
		msg, args := unavailableMessage(e)
		retryAfter(q.w, e)
		h.render(q, http.StatusServiceUnavailable, "error", &view{Title: "error.unavailable.title", Message: msg, Args: args})
	default:
		h.render(q, e.Status, "error", &view{Title: "error.refused.title", Message: "error.refused.body", Detail: e.Code})
	}
}

func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request, s *session) {
	q := &request{w: w, r: r, s: s, loc: h.localeFor(r)}
	h.render(q, http.StatusForbidden, "error", &view{Title: "error.forbidden.title", Message: "error.forbidden.body"})
}

func (h *Handler) notFound(q *request) {
	h.render(q, http.StatusNotFound, "error", &view{Title: "error.notfound.title", Message: "error.notfound.body"})
}

// redirect sends the browser on with 303 after a post.
func redirect(q *request, path string, args ...any) {
	http.Redirect(q.w, q.r, fmt.Sprintf(path, args...), http.StatusSeeOther)
}
