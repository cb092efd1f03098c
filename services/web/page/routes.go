package page

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// routes are the site's own: static files, the language menu, signing in
// and out, enrolment and the account.
func (h *Site) routes() {
	m := h.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(h.cfg.Static)))
	m.HandleFunc("POST /language", h.Page(false, h.chooseLanguage))
	m.HandleFunc("GET /signin", h.Page(false, h.signinForm))
	m.HandleFunc("POST /signin", h.Page(false, h.signin))
	m.HandleFunc("GET /enrol", h.Page(false, h.enrolForm))
	m.HandleFunc("POST /enrol", h.Page(false, h.enrol))
	m.HandleFunc("POST /signout", h.Page(false, h.signout))
	m.HandleFunc("GET /account", h.Page(true, h.account))
	m.HandleFunc("GET /account/password", h.Page(true, h.passwordForm))
	m.HandleFunc("POST /account/password", h.Page(true, h.changePassword))
	m.HandleFunc("GET /account/authenticator", h.Page(true, h.totpForm))
	m.HandleFunc("POST /account/authenticator", h.Page(true, h.totp))
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// IsUUID reports whether s is an identifier the services could hold
// (checked before any call, so a malformed one is a plain not found).
func IsUUID(s string) bool { return uuidRe.MatchString(s) }

// Required adds a "required" error for each empty field.
func Required(e *FieldErrors, f url.Values, fields ...string) {
	for _, k := range fields {
		if strings.TrimSpace(f.Get(k)) == "" {
			e.Add(k, "field.required")
		}
	}
}

// EncodePNG is img as PNG bytes, or nil.
func EncodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil
	}
	return b.Bytes()
}
