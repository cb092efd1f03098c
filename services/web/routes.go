package web

import (
	"bytes"
	"image"
	"image/png"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
)

func (h *Handler) routes() {
	m := h.mux
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(static)))
	m.HandleFunc("GET /{$}", h.page(true, h.home))
	m.HandleFunc("POST /language", h.page(false, h.chooseLanguage))
	m.HandleFunc("GET /signin", h.page(false, h.signinForm))
	m.HandleFunc("POST /signin", h.page(false, h.signin))
	m.HandleFunc("GET /enrol", h.page(false, h.enrolForm))
	m.HandleFunc("POST /enrol", h.page(false, h.enrol))
	m.HandleFunc("POST /signout", h.page(false, h.signout))
	m.HandleFunc("GET /account", h.page(true, h.account))
	m.HandleFunc("GET /account/password", h.page(true, h.passwordForm))
	m.HandleFunc("POST /account/password", h.page(true, h.changePassword))
	m.HandleFunc("GET /account/authenticator", h.page(true, h.totpForm))
	m.HandleFunc("POST /account/authenticator", h.page(true, h.totp))

	// Frontline officers.
	m.HandleFunc("GET /cases", h.page(true, h.myCases))
	m.HandleFunc("GET /cases/new", h.page(true, h.registrationForm))
	m.HandleFunc("POST /cases/new", h.page(true, h.register))
	m.HandleFunc("GET /cases/{id}", h.page(true, h.casePage))
	m.HandleFunc("POST /cases/{id}/notes", h.page(true, h.addNote))
	m.HandleFunc("GET /cases/{id}/refer", h.page(true, h.referForm))
	m.HandleFunc("POST /cases/{id}/refer", h.page(true, h.refer))
	m.HandleFunc("POST /cases/{id}/submit", h.page(true, h.submit))

	// Provider caseworkers.
	m.HandleFunc("GET /inbox", h.page(true, h.inbox))
	m.HandleFunc("GET /referrals/{id}", h.page(true, h.referralPage))
	m.HandleFunc("POST /referrals/{id}/{action}", h.page(true, h.referralAction))
	m.HandleFunc("GET /places", h.page(true, h.places))
	m.HandleFunc("POST /places", h.page(true, h.setPlaces))

	// Decision makers.
	m.HandleFunc("GET /decisions", h.page(true, h.queue))
	m.HandleFunc("POST /cases/{id}/decision", h.page(true, h.decide))
	m.HandleFunc("GET /cases/{id}/letters", h.page(true, h.letters))

	// Auditors and administrators (audit.go, admin.go).
	h.auditRoutes()
	h.adminRoutes()
	// The national referral desk and the commission (desk.go, commission.go).
	h.commissionRoutes()
	// Guardians, and the person's rights (access report, copy of the file).
	m.HandleFunc("GET /children", h.page(true, h.children))
	m.HandleFunc("GET /children/{id}", h.page(true, h.childCase))
	m.HandleFunc("GET /cases/{id}/access-report", h.page(true, h.accessReport))
	m.HandleFunc("GET /cases/{id}/copy", h.page(true, h.fileCopy))
	m.HandleFunc("POST /cases/{id}/guardian", h.page(true, h.appointGuardian))

	m.HandleFunc("/", h.page(false, h.notFound))
}

// home sends each user to the page of their work.
func (h *Handler) home(q *request) {
	switch {
	case q.s.hasRole(auth.RoleFrontlineOfficer):
		redirect(q, "/cases")
	case q.s.hasRole(auth.RoleNGOCaseworker):
		redirect(q, "/inbox")
	case q.s.hasRole(auth.RoleDecisionMaker):
		redirect(q, "/decisions")
	case q.s.hasRole(auth.RoleAuditor) && h.cfg.Audit != nil:
		redirect(q, "/audit")
	case (q.s.hasRole(auth.RoleOrgAdmin) || q.s.hasRole(auth.RoleSystemAdmin)) && h.cfg.Accounts != nil:
		redirect(q, "/admin/users")
	case q.s.hasRole(auth.RoleCoordinator):
		redirect(q, "/desk")
	case q.s.hasRole(auth.RoleCommissionAnalyst):
		redirect(q, "/stats")
	case q.s.hasRole(auth.RoleGuardian):
		redirect(q, "/children")
	default:
		h.render(q, http.StatusOK, "home", &view{Title: "home.title"})
	}
}

// required adds a "required" error for each empty field.
func required(e *fieldErrors, f url.Values, fields ...string) {
	for _, k := range fields {
		if strings.TrimSpace(f.Get(k)) == "" {
			e.add(k, "field.required")
		}
	}
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil
	}
	return b.Bytes()
}
