package page

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

func (h *Site) signinForm(q *Request) {
	if q.S.SignedIn() {
		Redirect(q, "/")
		return
	}
	h.Render(q, http.StatusOK, "signin", &View{Title: "signin.title"})
}

func (h *Site) signin(q *Request) {
	f := q.R.PostForm
	v := &View{Title: "signin.title", Form: f}
	Required(&v.Errors, f, "email", "password", "otp")
	if v.Errors.Any() {
		h.Render(q, http.StatusUnprocessableEntity, "signin", v)
		return
	}
	h.completeSignin(q, v, "signin", identity.LoginRequest{
		Email: strings.TrimSpace(f.Get("email")), Password: f.Get("password"), OTP: strings.TrimSpace(f.Get("otp")),
	})
}

// completeSignin logs in, learns who the user is, and starts the session.
func (h *Site) completeSignin(q *Request, v *View, page string, lr identity.LoginRequest) {
	t, err := h.cfg.Identity.Login(q.R.Context(), lr)
	if err != nil {
		v.Message, v.Args = signinError(err)
		retryAfter(q.W, kit.AsError(err))
		h.Render(q, kit.AsError(err).Status, page, v)
		return
	}
	now := h.cfg.Now()
	s := &Session{Access: t.AccessToken, Refresh: t.RefreshToken, AccessExp: t.ExpiresAt.Unix(),
		Created: now.Unix(), Seen: now.Unix(), CSRF: RandomToken()}
	q.S = s
	me, err := h.cfg.Identity.Me(q.Ctx())
	if err != nil {
		h.Fail(q, err)
		return
	}
	s.UserID, s.OrgID, s.Roles, s.Name = me.UserID, me.OrgID, me.Roles, me.DisplayName
	h.Save(q.W, s)
	Redirect(q, "/")
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

func (h *Site) signout(q *Request) {
	h.endSession(q)
	q.S = &Session{CSRF: RandomToken(), Flash: "signin.signedout"}
	h.Save(q.W, q.S)
	Redirect(q, "/signin")
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
				png = EncodePNG(img)
			}
		}
	}
	if len(png) > 0 {
		// A PNG of the server's own making, as a data: URI the CSP allows.
		e.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	return e
}

func (h *Site) enrolForm(q *Request) {
	// The QR code was shown once; coming back asks for the code (and the
	// password) only, never shows the secret again.
	if p := q.S.Enrol; p != nil && p.Email != "" && h.cfg.Now().Unix() < p.Expires {
		h.Render(q, http.StatusOK, "enrol_code", &View{Title: "enrol.title"})
		return
	}
	h.Render(q, http.StatusOK, "enrol", &View{Title: "enrol.title"})
}

// enrol shows the QR code of a new user's authenticator secret once (after
// their password and the enrolment ticket an administrator handed them),
// then signs them in with their password again and a code made from it.
func (h *Site) enrol(q *Request) {
	f := q.R.PostForm
	if f.Get("step") == "code" {
		h.enrolCode(q)
		return
	}
	v := &View{Title: "enrol.title", Form: f}
	Required(&v.Errors, f, "email", "password", "ticket")
	if v.Errors.Any() {
		h.Render(q, http.StatusUnprocessableEntity, "enrol", v)
		return
	}
	email := strings.TrimSpace(f.Get("email"))
	e, err := h.cfg.Identity.BeginEnrolment(q.R.Context(), identity.EnrolmentRequest{Email: email, Password: f.Get("password"), Ticket: strings.TrimSpace(f.Get("ticket"))})
	if err != nil {
		switch e := kit.AsError(err); {
		case e.Code == codeAlreadyEnrolled:
			v.Message = "enrol.already"
		case e.Status == http.StatusUnauthorized:
			v.Message = "enrol.invalid"
		default:
			v.Message, v.Args = signinError(err)
		}
		h.Render(q, kit.AsError(err).Status, "enrol", v)
		return
	}
	q.S.Enrol = &pendingEnrolment{Email: email, Expires: h.cfg.Now().Add(enrolmentWindow).Unix()}
	h.Save(q.W, q.S)
	h.Render(q, http.StatusOK, "enrol_code", &View{Title: "enrol.title", Data: enrolmentView(e.QRPNG, e.OTPAuthURI)})
}

func (h *Site) enrolCode(q *Request) {
	p := q.S.Enrol
	if p == nil || p.Email == "" || h.cfg.Now().Unix() >= p.Expires {
		q.S.Enrol = nil
		h.Save(q.W, q.S)
		h.Render(q, http.StatusUnprocessableEntity, "enrol", &View{Title: "enrol.title", Message: "enrol.expired"})
		return
	}
	f := q.R.PostForm
	v := &View{Title: "enrol.title", Form: f}
	Required(&v.Errors, f, "password", "otp")
	if v.Errors.Any() {
		h.Render(q, http.StatusUnprocessableEntity, "enrol_code", v)
		return
	}
	h.completeSignin(q, v, "enrol_code", identity.LoginRequest{Email: p.Email, Password: f.Get("password"), OTP: strings.TrimSpace(f.Get("otp"))})
}

func (h *Site) account(q *Request) {
	h.Render(q, http.StatusOK, "account", &View{Title: "account.title"})
}

func (h *Site) passwordForm(q *Request) {
	h.Render(q, http.StatusOK, "password", &View{Title: "password.title"})
}

func (h *Site) changePassword(q *Request) {
	f := q.R.PostForm
	v := &View{Title: "password.title", Form: f}
	Required(&v.Errors, f, "current_password", "new_password", "confirm_password", "otp")
	if f.Get("new_password") != "" && f.Get("new_password") != f.Get("confirm_password") {
		v.Errors.Add("confirm_password", "password.mismatch")
	}
	if v.Errors.Any() {
		h.Render(q, http.StatusUnprocessableEntity, "password", v)
		return
	}
	err := h.cfg.Identity.ChangePassword(q.Ctx(), identity.PasswordChange{
		CurrentPassword: f.Get("current_password"), NewPassword: f.Get("new_password"), OTP: strings.TrimSpace(f.Get("otp")),
	})
	if err != nil {
		h.accountError(q, v, "password", err, "new_password")
		return
	}
	q.S.Flash = "password.changed"
	h.Save(q.W, q.S)
	Redirect(q, "/account")
}

// accountError shows a refused account change beside the field it is about.
func (h *Site) accountError(q *Request, v *View, page string, err error, validationField string) {
	e := kit.AsError(err)
	switch {
	case errors.Is(err, kit.ErrUnauthenticated) && q.R.PostForm.Get("otp") == "":
		h.Fail(q, err)
		return
	case e.Status == http.StatusUnauthorized || e.Code == identity.CodeInvalidCredentials:
		v.Message = "account.invalid"
	case e.Status == http.StatusBadRequest:
		v.Errors.Add(validationField, "password.weak")
	default:
		v.Message, v.Args = signinError(err)
	}
	h.Render(q, e.Status, page, v)
}

func (h *Site) totpForm(q *Request) {
	h.Render(q, http.StatusOK, "totp", &View{Title: "totp.title"})
}

// totp re-enrols the authenticator: a code of the current one, then the
// QR code of the new one and a code from it. The old one works until then.
func (h *Site) totp(q *Request) {
	f := q.R.PostForm
	v := &View{Title: "totp.title", Form: f}
	Required(&v.Errors, f, "otp")
	if f.Get("step") == "confirm" {
		p := q.S.Enrol
		if p == nil || h.cfg.Now().Unix() >= p.Expires {
			q.S.Enrol = nil
			v.Message = "enrol.expired"
			h.Render(q, http.StatusUnprocessableEntity, "totp", v)
			return
		}
		// The new secret was shown once: a wrong code asks again
		// without showing it.
		if v.Errors.Any() {
			h.Render(q, http.StatusUnprocessableEntity, "totp_confirm", v)
			return
		}
		if err := h.cfg.Identity.ConfirmTOTP(q.Ctx(), strings.TrimSpace(f.Get("otp"))); err != nil {
			h.accountError(q, v, "totp_confirm", err, "otp")
			return
		}
		q.S.Enrol, q.S.Flash = nil, "totp.changed"
		h.Save(q.W, q.S)
		Redirect(q, "/account")
		return
	}
	if v.Errors.Any() {
		h.Render(q, http.StatusUnprocessableEntity, "totp", v)
		return
	}
	e, err := h.cfg.Identity.StartTOTPReenrolment(q.Ctx(), strings.TrimSpace(f.Get("otp")))
	if err != nil {
		h.accountError(q, v, "totp", err, "otp")
		return
	}
	q.S.Enrol = &pendingEnrolment{Expires: h.cfg.Now().Add(enrolmentWindow).Unix()}
	h.Save(q.W, q.S)
	h.Render(q, http.StatusOK, "totp_confirm", &View{Title: "totp.title", Data: enrolmentView(e.QRPNG, e.OTPAuthURI)})
}
