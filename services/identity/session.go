package identity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// refreshThrottleKey is the throttle's "account" for refresh attempts: a
// refresh token cannot be guessed, but a flood of bad ones must not fill
// the audit log.
const refreshThrottleKey = "\x00refresh"

func (s *service) Login(ctx context.Context, r LoginRequest) (Tokens, error) {
	email := normaliseEmail(r.Email)
	if len(email) > MaxEmailLen {
		email = email[:MaxEmailLen]
	}
	addr := kit.ClientAddr(ctx)
	ok, wait := s.throttle.attempt(email, addr)
	if !ok {
		s.metrics.throttled.WithLabelValues("login").Inc()
		return Tokens{}, ErrRateLimited
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return Tokens{}, ctx.Err()
		}
	}
	u, err := s.store.userByEmail(ctx, s.store.db, email)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Tokens{}, err
	}
	phc := s.hasher.dummy
	if known {
		phc = u.PasswordHash
	}
	password := r.Password
	if len(password) > MaxPasswordLen {
		password = ""
		known = false
	}
	match, err := s.hasher.verify(ctx, phc, password)
	if errors.Is(err, errBadHash) {
		level.Warn(s.log).Log("msg", "stored password hash is malformed", "user_id", u.ID)
		match = false
	} else if err != nil {
		return Tokens{}, err
	}
	if !known || !match || u.Status != StatusActive {
		return Tokens{}, s.loginFailed(ctx, u.ID)
	}
	if !checkUserMAC(s.macKey, u) {
		level.Warn(s.log).Log("msg", "user row fails its integrity check; login refused", "user_id", u.ID)
		return Tokens{}, s.loginFailed(ctx, u.ID)
	}
	secret, err := openTOTP(s.totpKey, u.ID, u.TOTPSecret)
	if err != nil {
		level.Warn(s.log).Log("msg", "TOTP secret does not decrypt; login refused", "user_id", u.ID)
		return Tokens{}, s.loginFailed(ctx, u.ID)
	}
	now := s.now()
	step := matchTOTP(secret, r.OTP, now)
	if step == 0 {
		return Tokens{}, s.loginFailed(ctx, u.ID)
	}
	var (
		t      Tokens
		replay bool
	)
	uctx := auth.WithPrincipal(ctx, auth.Principal{UserID: u.ID, OrgID: u.OrgID, Roles: u.Roles})
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		fresh, err := s.store.useTOTPStep(ctx, tx, u.ID, step)
		if err != nil {
			return err
		}
		if !fresh {
			replay = true
			return errReplay
		}
		sid := event.NewID()
		if err := s.store.insertSession(ctx, tx, sessionRow{ID: sid, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}); err != nil {
			return err
		}
		t, err = s.issue(ctx, tx, u, sid, now)
		if err != nil {
			return err
		}
		return s.audit(uctx, tx, s.rec.New(uctx, "identity.login", "user", u.ID, event.Allowed))
	})
	if replay {
		return Tokens{}, s.loginFailed(ctx, u.ID)
	}
	if err != nil {
		return Tokens{}, err
	}
	s.throttle.succeeded(email, addr)
	return t, nil
}

var errReplay = errors.New("identity: TOTP code already used")

// loginFailed audits a failed login (userID is empty for an unknown email)
// and returns the one answer every failure gets.
func (s *service) loginFailed(ctx context.Context, userID string) error {
	objectType := "user"
	if userID == "" {
		objectType = ""
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "identity.login", objectType, userID, event.Denied)); err != nil {
		return err
	}
	return ErrInvalidCredentials
}

// issue creates a refresh token for session sid and signs an access token.
func (s *service) issue(ctx context.Context, tx *sql.Tx, u userRow, sid string, now time.Time) (Tokens, error) {
	refresh, hash := newRefreshToken(s.refreshKy)
	if err := s.store.insertRefresh(ctx, tx, hash, sid, now); err != nil {
		return Tokens{}, err
	}
	access, exp, err := s.signer.sign(u, sid, now)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, TokenType: "Bearer", ExpiresAt: exp, RefreshToken: refresh, SessionID: sid}, nil
}

func (s *service) Refresh(ctx context.Context, token string) (Tokens, error) {
	addr := kit.ClientAddr(ctx)
	ok, _ := s.throttle.attempt(refreshThrottleKey, addr)
	if !ok {
		s.metrics.throttled.WithLabelValues("refresh").Inc()
		return Tokens{}, ErrRateLimited
	}
	if len(token) == 0 || len(token) > 128 {
		return Tokens{}, s.refreshFailed(ctx, "")
	}
	now := s.now()
	var (
		t      Tokens
		failed bool
		sid    string
	)
	err := s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		var first bool
		var err error
		sid, first, err = s.store.useRefresh(ctx, tx, refreshHash(s.refreshKy, token), now)
		if errors.Is(err, ErrNotFound) {
			failed = true
			return s.audit(ctx, tx, s.rec.New(ctx, "identity.refresh", "", "", event.Denied))
		}
		if err != nil {
			return err
		}
		ss, err := s.store.session(ctx, tx, sid)
		if err != nil {
			return err
		}
		u, err := s.store.userByID(ctx, tx, ss.UserID)
		if err != nil {
			return err
		}
		uctx := auth.WithPrincipal(ctx, auth.Principal{UserID: u.ID, OrgID: u.OrgID, Roles: u.Roles, SessionID: sid})
		if !first || ss.Revoked || !now.Before(ss.ExpiresAt) || u.Status != StatusActive || !checkUserMAC(s.macKey, u) {
			// A rotated token used again means it was copied: end the session.
			failed = true
			revoked, err := s.store.revokeSession(ctx, tx, sid, now)
			if err != nil {
				return err
			}
			events := []event.Audit{s.rec.New(uctx, "identity.refresh", "session", sid, event.Denied)}
			for _, id := range revoked {
				events = append(events, s.rec.New(uctx, "identity.session.revoke", "session", id, event.Allowed))
			}
			return s.audit(ctx, tx, events...)
		}
		t, err = s.issue(ctx, tx, u, sid, now)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(uctx, "identity.refresh", "session", sid, event.Allowed))
	})
	if err != nil {
		return Tokens{}, err
	}
	if failed {
		return Tokens{}, ErrInvalidCredentials
	}
	s.throttle.succeeded(refreshThrottleKey, addr)
	return t, nil
}

func (s *service) refreshFailed(ctx context.Context, sid string) error {
	objectType := "session"
	if sid == "" {
		objectType = ""
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "identity.refresh", objectType, sid, event.Denied)); err != nil {
		return err
	}
	return ErrInvalidCredentials
}

func (s *service) Logout(ctx context.Context) error {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return ErrUnauthenticated
	}
	if p.SessionID == "" {
		return nil // the command line has no session
	}
	now := s.now()
	return s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.store.revokeSession(ctx, tx, p.SessionID, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "identity.logout", "session", p.SessionID, event.Allowed))
	})
}

func (s *service) Me(ctx context.Context) (Me, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return Me{}, ErrUnauthenticated
	}
	m := Me{UserID: p.UserID, OrgID: p.OrgID, Roles: p.Roles}
	if !validUUID(p.UserID) {
		return m, nil // the command line
	}
	u, err := s.store.userByID(ctx, s.store.db, p.UserID)
	if err != nil {
		return Me{}, err
	}
	m.Email, m.DisplayName = u.Email, u.DisplayName
	return m, nil
}

func (s *service) PublicKeys(context.Context) ([]PublicKey, error) {
	return []PublicKey{s.signer.publicKey()}, nil
}

func (s *service) RevokedSessions(ctx context.Context, since int64) ([]string, int64, error) {
	// Older revocations no longer matter: every token of theirs has expired.
	return s.store.revocations(ctx, since, s.now().Add(-AccessTokenTTL-time.Minute))
}
