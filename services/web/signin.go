package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
)

// enrolmentWindow is how long a first sign-in may take between the QR
// code and the code typed from it.
const enrolmentWindow = 10 * time.Minute

// codeAlreadyEnrolled is identity's answer to an enrolment request of a
// user whose authenticator is set up already.
const codeAlreadyEnrolled = "already_enrolled"

func (h *Handler) signinForm(q *request) {
	if q.s.signedIn() {
		redirect(q, "/")
		return
	}
	h.render(q, http.StatusOK, "signin", &view{Title: "signin.title"})
}

func (h *Handler) signin(q *request) {
	f := q.r.PostForm
	v := &view{Title: "signin.title", Form: f}
	required(&v.Errors, f, "email", "password", "otp")
	if v.Errors.Any() {
		h.render(q, http.StatusUnprocessableEntity, "signin", v)
		return
	}
	h.completeSignin(q, v, "signin", identity.LoginRequest{
		Email: strings.TrimSpace(f.Get("email")), Password: f.Get("password"), OTP: strings.TrimSpace(f.Get("otp")),
	})
}

// completeSignin logs in, learns who the user is, and starts the session.
func (h *Handler) completeSignin(q *request, v *view, page string, lr identity.LoginRequest) {
	t, err := h.cfg.Identity.Login(q.r.Context(), lr)
	if err != nil {
		v.Message, v.Args = signinError(err)
		retryAfter(q.w, kit.AsError(err))
		h.render(q, kit.AsError(err).Status, page, v)
		return
	}
	now := h.cfg.Now()
	s := &session{Access: t.AccessToken, Refresh: t.RefreshToken, AccessExp: t.ExpiresAt.Unix(),
		Created: now.Unix(), Seen: now.Unix(), CSRF: randomToken()}
	q.s = s
	me, err := h.cfg.Identity.Me(q.ctx())
	if err != nil {
		h.fail(q, err)
		return
	}
	s.UserID, s.OrgID, s.Roles, s.Name = me.UserID, me.OrgID, me.Roles, me.DisplayName
	h.save(q.w, s)
	redirect(q, "/")
}

func signinError(err error) (string, []any) {
	switch e := kit.AsError(err); {
	case e.Status == http.StatusUnauthorized:
		return "signin.invalid", nil
	case e.Status == http.StatusTooManyRequests:
		return busyMessage(e)
	case e.Status == http.StatusForbidden:
		return "signin.suspended", nil
	default:
		return unavailableMessage(e)
	}
}

func (h *Handler) signout(q *request) {
	h.endSession(q)
	q.s = &session{CSRF: randomToken(), Flash: "signin.signedout"}
	h.save(q.w, q.s)
	redirect(q, "/signin")
}

// enrolment is the data of the QR code pages.
type enrolment struct {
	QR     template.URL // data:image/png;base64,…
	Secret string       // for typing into an app by hand
}

func enrolmentView(png []byte, uri string) enrolment {
	e := enrolment{}
	if k, err := otp.NewKeyFromURL(uri); err == nil {
		e.Secret = k.Secret()
		if len(png) == 0 {
			if img, err := k.Image(220, 220); err == nil {
				png = encodePNG(img)
			}
		}
	}
	if len(png) > 0 {
		// A PNG of the server's own making, as a data: URI the CSP allows.
		e.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	return e
}

func (h *Handler) enrolForm(q *request) {
	// The QR code was shown once; coming back asks for the code (and the
	// password) only, never shows the secret again.
	if p := q.s.Enrol; p != nil && p.Email != "" && h.cfg.Now().Unix() < p.Expires {
		h.render(q, http.StatusOK, "enrol_code", &view{Title: "enrol.title"})
		return
	}
	h.render(q, http.StatusOK, "enrol", &view{Title: "enrol.title"})
}

// enrol shows the QR code of a new user's authenticator secret once (after
// their password and the enrolment ticket an administrator handed them),
// then signs them in with their password again and a code made from it.
func (h *Handler) enrol(q *request) {
	f := q.r.PostForm
	if f.Get("step") == "code" {
		h.enrolCode(q)
		return
	}
	v := &view{Title: "enrol.title", Form: f}
	required(&v.Errors, f, "email", "password", "ticket")
	if v.Errors.Any() {
		h.render(q, http.StatusUnprocessableEntity, "enrol", v)
		return
	}
	email := strings.TrimSpace(f.Get("email"))
	e, err := h.cfg.Identity.BeginEnrolment(q.r.Context(), identity.EnrolmentRequest{Email: email, Password: f.Get("password"), Ticket: strings.TrimSpace(f.Get("ticket"))})
	if err != nil {
		switch e := kit.AsError(err); {
		case e.Code == codeAlreadyEnrolled:
			v.Message = "enrol.already"
		case e.Status == http.StatusUnauthorized:
			v.Message = "enrol.invalid"
		default:
			v.Message, v.Args = signinError(err)
		}
		h.render(q, kit.AsError(err).Status, "enrol", v)
		return
	}
	q.s.Enrol = &pendingEnrolment{Email: email, Expires: h.cfg.Now().Add(enrolmentWindow).Unix()}
	h.save(q.w, q.s)
	h.render(q, http.StatusOK, "enrol_code", &view{Title: "enrol.title", Data: enrolmentView(e.QRPNG, e.OTPAuthURI)})
}

func (h *Handler) enrolCode(q *request) {
	p := q.s.Enrol
	if p == nil || p.Email == "" || h.cfg.Now().Unix() >= p.Expires {
		q.s.Enrol = nil
		h.save(q.w, q.s)
		h.render(q, http.StatusUnprocessableEntity, "enrol", &view{Title: "enrol.title", Message: "enrol.expired"})
		return
	}
	f := q.r.PostForm
	v := &view{Title: "enrol.title", Form: f}
	required(&v.Errors, f, "password", "otp")
	if v.Errors.Any() {
		h.render(q, http.StatusUnprocessableEntity, "enrol_code", v)
		return
	}
	h.completeSignin(q, v, "enrol_code", identity.LoginRequest{Email: p.Email, Password: f.Get("password"), OTP: strings.TrimSpace(f.Get("otp"))})
}

func (h *Handler) account(q *request) {
	h.render(q, http.StatusOK, "account", &view{Title: "account.title"})
}

func (h *Handler) passwordForm(q *request) {
	h.render(q, http.StatusOK, "password", &view{Title: "password.title"})
}

func (h *Handler) changePassword(q *request) {
	f := q.r.PostForm
	v := &view{Title: "password.title", Form: f}
	required(&v.Errors, f, "current_password", "new_password", "confirm_password", "otp")
	if f.Get("new_password") != "" && f.Get("new_password") != f.Get("confirm_password") {
		v.Errors.add("confirm_password", "password.mismatch")
	}
	if v.Errors.Any() {
		h.render(q, http.StatusUnprocessableEntity, "password", v)
		return
	}
	err := h.cfg.Identity.ChangePassword(q.ctx(), identity.PasswordChange{
		CurrentPassword: f.Get("current_password"), NewPassword: f.Get("new_password"), OTP: strings.TrimSpace(f.Get("otp")),
	})
	if err != nil {
		h.accountError(q, v, "password", err, "new_password")
		return
	}
	q.s.Flash = "password.changed"
	h.save(q.w, q.s)
	redirect(q, "/account")
}

// accountError shows a refused account change beside the field it is about.
func (h *Handler) accountError(q *request, v *view, page string, err error, validationField string) {
	e := kit.AsError(err)
	switch {
	case errors.Is(err, kit.ErrUnauthenticated) && q.r.PostForm.Get("otp") == "":
		h.fail(q, err)
		return
	case e.Status == http.StatusUnauthorized || e.Code == identity.CodeInvalidCredentials:
		v.Message = "account.invalid"
	case e.Status == http.StatusBadRequest:
		v.Errors.add(validationField, "password.weak")
	default:
		v.Message, v.Args = signinError(err)
	}
	h.render(q, e.Status, page, v)
}

func (h *Handler) totpForm(q *request) {
	h.render(q, http.StatusOK, "totp", &view{Title: "totp.title"})
}

// totp re-enrols the authenticator: a code of the current one, then the
// QR code of the new one and a code from it. The old one works until then.
func (h *Handler) totp(q *request) {
	f := q.r.PostForm
	v := &view{Title: "totp.title", Form: f}
	required(&v.Errors, f, "otp")
	if f.Get("step") == "confirm" {
		p := q.s.Enrol
		if p == nil || h.cfg.Now().Unix() >= p.Expires {
			q.s.Enrol = nil
			v.Message = "enrol.expired"
			h.render(q, http.StatusUnprocessableEntity, "totp", v)
			return
		}
		// The new secret was shown once: a wrong code asks again
		// without showing it.
		if v.Errors.Any() {
			h.render(q, http.StatusUnprocessableEntity, "totp_confirm", v)
			return
		}
		if err := h.cfg.Identity.ConfirmTOTP(q.ctx(), strings.TrimSpace(f.Get("otp"))); err != nil {
			h.accountError(q, v, "totp_confirm", err, "otp")
			return
		}
		q.s.Enrol, q.s.Flash = nil, "totp.changed"
		h.save(q.w, q.s)
		redirect(q, "/account")
		return
	}
	if v.Errors.Any() {
		h.render(q, http.StatusUnprocessableEntity, "totp", v)
		return
	}
	e, err := h.cfg.Identity.StartTOTPReenrolment(q.ctx(), strings.TrimSpace(f.Get("otp")))
	if err != nil {
		h.accountError(q, v, "totp", err, "otp")
		return
	}
	q.s.Enrol = &pendingEnrolment{Expires: h.cfg.Now().Add(enrolmentWindow).Unix()}
	h.save(q.w, q.s)
	h.render(q, http.StatusOK, "totp_confirm", &view{Title: "totp.title", Data: enrolmentView(e.QRPNG, e.OTPAuthURI)})
}
