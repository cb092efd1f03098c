package identity

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"time"

	"github.com/pquerna/otp"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity/guard"
)

// EnrolmentRequest asks for the pending TOTP secret of a user who has not
// yet confirmed one: their password and the single-use ticket an
// administrator handed them (IssueEnrolmentTicket).
type EnrolmentRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Ticket   string `json:"ticket"`
}

// Enrolment is a TOTP secret to add to an authenticator app.
type Enrolment struct {
	OTPAuthURI string    `json:"otpauth_uri"`
	QRPNG      []byte    `json:"qr_png"` // base64 in JSON
	ExpiresAt  time.Time `json:"expires_at"`
}

// PasswordChange changes the signed-in user's password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	OTP             string `json:"otp"`
}

// Session is one of the signed-in user's sessions.
type Session struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Current    bool      `json:"current"`
}

// Account error codes.
const (
	CodeAlreadyEnrolled     = "already_enrolled"
	CodeWrongCurrent        = "current_credentials_wrong"
	CodeNoPendingEnrolment  = "no_pending_enrolment"
	CodeInvalidResetToken   = "invalid_reset_token"
	CodeIntegrityCheck      = "integrity_check_failed"
	reenrolmentWindow       = 10 * time.Minute
	qrSize                  = 256
	actionEnrolment         = "identity.totp.enrolment"
	actionPasswordChange    = "identity.password.change"
	actionTOTPReenrol       = "identity.totp.reenrol"
	actionTOTPConfirm       = "identity.totp.confirm"
	actionSessionEnd        = "identity.session.end"
	actionSessionList       = "identity.session.list"
	actionSecondFactorReset = "identity.totp.reset"
)

// Account errors.
var (
	ErrAlreadyEnrolled = kit.NewError(http.StatusConflict, CodeAlreadyEnrolled,
		"this account's second factor is already enrolled; sign in, or ask an administrator to reset it")
	ErrWrongCurrent = kit.NewError(http.StatusForbidden, CodeWrongCurrent, "the current password or code is wrong")
	ErrNoPending    = kit.NewError(http.StatusConflict, CodeNoPendingEnrolment,
		"no new second factor is waiting for confirmation (or its 10 minutes have passed); start again")
)

func (s *service) BeginEnrolment(ctx context.Context, r EnrolmentRequest) (Enrolment, error) {
	if r.Ticket == "" {
		return Enrolment{}, kit.Validation("ticket is required: ask an administrator for an enrolment ticket")
	}
	u, email, err := s.credentials(ctx, actionEnrolment, r.Email, r.Password)
	if err != nil {
		return Enrolment{}, err
	}
	uctx := auth.WithPrincipal(ctx, auth.Principal{UserID: u.ID, OrgID: u.OrgID, Roles: u.Roles})
	if u.SecondFactor != SecondFactorPending {
		s.throttle.Succeeded(email, kit.ClientAddr(ctx))
		return Enrolment{}, s.deny(uctx, actionEnrolment, "user", u.ID, ErrAlreadyEnrolled)
	}
	now := s.now()
	if !u.TOTPPendingUntil.IsZero() && !now.Before(u.TOTPPendingUntil) {
		return Enrolment{}, s.deny(uctx, actionEnrolment, "user", u.ID, ErrEnrolmentExpired)
	}
	if err := s.usable(uctx, actionEnrolment, u); err != nil {
		return Enrolment{}, err
	}
	secret, err := openTOTP(s.totpKey, u.ID, u.TOTPSecret)
	if err != nil {
		return Enrolment{}, s.loginFailed(ctx, actionEnrolment, u.ID)
	}
	e, err := enrolment(u.Email, secret, u.TOTPPendingUntil)
	if err != nil {
		return Enrolment{}, err
	}
	// The password alone never shows the secret: the ticket is spent with
	// the audit event, and a wrong one answers (and counts) as a wrong
	// password, so it tells a thief nothing about the password.
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if len(r.Ticket) > 128 {
			return ErrNotFound
		}
		if err := s.store.useTicket(ctx, tx, s.ticketHash(r.Ticket), u.ID, now); err != nil {
			return err
		}
		return s.audit(uctx, tx, s.rec.New(uctx, actionEnrolment, "user", u.ID, event.Allowed))
	})
	if errors.Is(err, ErrNotFound) {
		return Enrolment{}, s.loginFailed(ctx, actionEnrolment, u.ID)
	}
	if err != nil {
		return Enrolment{}, err
	}
	s.throttle.Succeeded(email, kit.ClientAddr(ctx))
	return e, nil
}

// enrolment builds the otpauth URI and its QR code (PNG, made here so no
// secret ever reaches a third-party service).
func enrolment(account, secret string, expires time.Time) (Enrolment, error) {
	uri := totpURI(account, secret)
	k, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: totp key: %w", err)
	}
	img, err := k.Image(qrSize, qrSize)
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("identity: qr code: %w", err)
	}
	return Enrolment{OTPAuthURI: uri, QRPNG: buf.Bytes(), ExpiresAt: expires}, nil
}

// self returns the signed-in caller's principal and account, refusing the
// command line (no account) and accounts that cannot be used.
func (s *service) self(ctx context.Context, action string) (auth.Principal, userRow, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return p, userRow{}, ErrUnauthenticated
	}
	if !validUUID(p.UserID) {
		return p, userRow{}, s.deny(ctx, action, "", "", ErrForbidden)
	}
	u, err := s.store.userByID(ctx, s.store.db, p.UserID)
	if err != nil {
		return p, userRow{}, err
	}
	if u.Status != StatusActive || !checkUserMAC(s.macKey, u) {
		return p, userRow{}, s.deny(ctx, action, "user", u.ID, ErrForbidden)
	}
	if err := s.usable(ctx, action, u); err != nil {
		return p, userRow{}, err
	}
	return p, u, nil
}

// currentFactor checks the caller's current code for action, answering a
// wrong one with ErrWrongCurrent (the caller is signed in: not a 401).
func (s *service) currentFactor(ctx context.Context, action string, u userRow, code string, now time.Time) (int64, error) {
	step, err := s.checkCode(ctx, action, u, u.TOTPSecret, code, now)
	if errors.Is(err, ErrInvalidCredentials) {
		return 0, ErrWrongCurrent
	}
	return step, err
}

func (s *service) ChangePassword(ctx context.Context, r PasswordChange) error {
	p, u, err := s.self(ctx, actionPasswordChange)
	if err != nil {
		return err
	}
	if err := checkPassword("new_password", r.NewPassword); err != nil {
		return err
	}
	addr := kit.ClientAddr(ctx)
	if ok, wait, byAddress := s.throttle.Attempt(u.Email, addr); !ok {
		return s.refused("password_change", LimitLoginFailuresAccount, wait, byAddress)
	}
	current := r.CurrentPassword
	if len(current) > MaxPasswordLen {
		current = ""
	}
	match, err := s.hasher.Verify(ctx, addr, u.PasswordHash, current)
	if err != nil && !errors.Is(err, guard.ErrBadHash) {
		return err
	}
	if !match {
		return s.deny(ctx, actionPasswordChange, "user", u.ID, ErrWrongCurrent)
	}
	now := s.now()
	step, err := s.currentFactor(ctx, actionPasswordChange, u, r.OTP, now)
	if err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, addr, r.NewPassword)
	if err != nil {
		return err
	}
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.spendCode(ctx, tx, u, step, now); err != nil {
			return err
		}
		if err := s.store.setPassword(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		// Whoever else holds a session of this account is signed out.
		revoked, err := s.store.revokeUserSessionsExcept(ctx, tx, u.ID, p.SessionID, now)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, append(revocationEvents(s, ctx, revoked),
			s.rec.New(ctx, actionPasswordChange, "user", u.ID, event.Allowed))...)
	})
	if errors.Is(err, errReplay) {
		return s.deny(ctx, actionPasswordChange, "user", u.ID, ErrWrongCurrent)
	}
	if err != nil {
		return err
	}
	s.throttle.Succeeded(u.Email, addr)
	return nil
}

func revocationEvents(s *service, ctx context.Context, ids []string) []event.Audit {
	out := make([]event.Audit, 0, len(ids)+1)
	for _, id := range ids {
		out = append(out, s.rec.New(ctx, "identity.session.revoke", "session", id, event.Allowed))
	}
	return out
}

func (s *service) StartTOTPReenrolment(ctx context.Context, code string) (Enrolment, error) {
	_, u, err := s.self(ctx, actionTOTPReenrol)
	if err != nil {
		return Enrolment{}, err
	}
	now := s.now()
	step, err := s.currentFactor(ctx, actionTOTPReenrol, u, code, now)
	if err != nil {
		return Enrolment{}, err
	}
	secret, _, err := newTOTP(u.Email)
	if err != nil {
		return Enrolment{}, err
	}
	sealed, err := sealTOTP(s.totpKey, u.ID, secret)
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: seal totp: %w", err)
	}
	until := now.Add(reenrolmentWindow)
	e, err := enrolment(u.Email, secret, until)
	if err != nil {
		return Enrolment{}, err
	}
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.spendCode(ctx, tx, u, step, now); err != nil {
			return err
		}
		if err := s.store.setPendingTOTP(ctx, tx, u.ID, sealed, until, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, actionTOTPReenrol, "user", u.ID, event.Allowed))
	})
	if errors.Is(err, errReplay) {
		return Enrolment{}, s.deny(ctx, actionTOTPReenrol, "user", u.ID, ErrWrongCurrent)
	}
	if err != nil {
		return Enrolment{}, err
	}
	return e, nil
}

func (s *service) ConfirmTOTP(ctx context.Context, code string) error {
	_, u, err := s.self(ctx, actionTOTPConfirm)
	if err != nil {
		return err
	}
	now := s.now()
	if len(u.TOTPPending) == 0 || u.SecondFactor != SecondFactorActive || !now.Before(u.TOTPPendingUntil) {
		return s.deny(ctx, actionTOTPConfirm, "user", u.ID, ErrNoPending)
	}
	step, err := s.checkCode(ctx, actionTOTPConfirm, u, u.TOTPPending, code, now)
	if errors.Is(err, ErrInvalidCredentials) {
		return ErrWrongCurrent
	}
	if err != nil {
		return err
	}
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.spendCode(ctx, tx, u, step, now); err != nil {
			return err
		}
		if err := s.store.setTOTP(ctx, tx, u.ID, u.TOTPPending, SecondFactorActive, time.Time{}, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, actionTOTPConfirm, "user", u.ID, event.Allowed))
	})
	if errors.Is(err, errReplay) {
		return s.deny(ctx, actionTOTPConfirm, "user", u.ID, ErrWrongCurrent)
	}
	return err
}

func (s *service) ListSessions(ctx context.Context) ([]Session, error) {
	p, u, err := s.self(ctx, actionSessionList)
	if err != nil {
		return nil, err
	}
	out, err := s.store.openSessions(ctx, u.ID, s.now())
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Current = out[i].ID == p.SessionID
	}
	return out, nil
}

func (s *service) EndSession(ctx context.Context, id string) error {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return ErrUnauthenticated
	}
	if !validUUID(id) {
		return s.deny(ctx, actionSessionEnd, "", "", ErrNotFound)
	}
	ss, err := s.store.session(ctx, s.store.db, id)
	if errors.Is(err, ErrNotFound) || (err == nil && ss.UserID != p.UserID) {
		// Another user's session answers as one that does not exist.
		return s.deny(ctx, actionSessionEnd, "session", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		revoked, err := s.store.revokeSession(ctx, tx, id, now)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, append(revocationEvents(s, ctx, revoked),
			s.rec.New(ctx, actionSessionEnd, "session", id, event.Allowed))...)
	})
}
