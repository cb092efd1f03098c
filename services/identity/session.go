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
	"github.com/nrm-project/nrm/services/identity/guard"
)

// refreshThrottleKey is the throttle's "account" for refresh attempts: a
// refresh token cannot be guessed, but a flood of bad ones must not fill
// the audit log.
const refreshThrottleKey = "\x00refresh"

func (s *service) Login(ctx context.Context, r LoginRequest) (Tokens, error) {
	const action = "identity.login"
	u, email, err := s.credentials(ctx, action, r.Email, r.Password)
	if err != nil {
		return Tokens{}, err
	}
	now := s.now()
	step, err := s.secondFactor(ctx, action, u, r.OTP, now)
	if err != nil {
		return Tokens{}, err
	}
	uctx := auth.WithPrincipal(ctx, auth.Principal{UserID: u.ID, OrgID: u.OrgID, Roles: u.Roles})
	if err := s.usable(uctx, action, u); err != nil {
		return Tokens{}, err
	}
	var (
		t      Tokens
		replay bool
	)
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.spendCode(ctx, tx, u, step, now); err != nil {
			replay = errors.Is(err, errReplay)
			return err
		}
		sid := event.NewID()
		if err := s.store.insertSession(ctx, tx, sessionRow{ID: sid, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}); err != nil {
			return err
		}
		t, err = s.issue(ctx, tx, u, sid, now)
		if err != nil {
			return err
		}
		events := []event.Audit{s.rec.New(uctx, action, "user", u.ID, event.Allowed)}
		if u.SecondFactor == SecondFactorPending {
			events = append(events, s.rec.New(uctx, "identity.totp.enrol", "user", u.ID, event.Allowed))
		}
		return s.audit(uctx, tx, events...)
	})
	if replay {
		return Tokens{}, s.loginFailed(ctx, action, u.ID)
	}
	if err != nil {
		return Tokens{}, err
	}
	s.throttle.Succeeded(email, kit.ClientAddr(ctx))
	return t, nil
}

// credentials checks an email and password as a login does: the throttle
// first (refused before any hashing), then exactly one password hash
// whether or not the account exists, then the account's status and
// integrity. Every failure is audited under action and gets the one
// answer ErrInvalidCredentials. It returns the user and the normalised
// email (the throttle's key).
func (s *service) credentials(ctx context.Context, action, rawEmail, password string) (userRow, string, error) {
	email := normaliseEmail(rawEmail)
	if len(email) > MaxEmailLen {
		email = email[:MaxEmailLen]
	}
	addr := kit.ClientAddr(ctx)
	ok, wait, byAddress := s.throttle.Attempt(email, addr)
	if !ok {
		return userRow{}, "", s.refused("login", LimitLoginFailuresAccount, wait, byAddress)
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return userRow{}, "", ctx.Err()
		}
	}
	u, err := s.store.userByEmail(ctx, s.store.db, email)
	known := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return userRow{}, "", err
	}
	phc := s.hasher.Dummy()
	if known {
		phc = u.PasswordHash
	}
	if len(password) > MaxPasswordLen {
		password = ""
		known = false
	}
	match, err := s.hasher.Verify(ctx, addr, phc, password)
	if errors.Is(err, guard.ErrBadHash) {
		level.Warn(s.log).Log("msg", "stored password hash is malformed", "user_id", u.ID)
		match = false
	} else if errors.Is(err, ErrRateLimited) {
		s.metrics.throttled.WithLabelValues("hash_queue").Inc()
		return userRow{}, "", err
	} else if err != nil {
		return userRow{}, "", err
	}
	if !known || !match || u.Status != StatusActive {
		return userRow{}, "", s.loginFailed(ctx, action, u.ID)
	}
	if !checkUserMAC(s.macKey, u) {
		level.Warn(s.log).Log("msg", "user row fails its integrity check; refused", "user_id", u.ID)
		return userRow{}, "", s.loginFailed(ctx, action, u.ID)
	}
	return u, email, nil
}

// usable refuses (403, audited under action) an account whose roles do
// not fit its organisation's kind: planted, or left over from before
// policies/roles.json.
func (s *service) usable(ctx context.Context, action string, u userRow) error {
	org, err := s.store.org(ctx, s.store.db, u.OrgID)
	if err != nil {
		return err
	}
	if len(s.roles.Misfits(u.Roles, org.Kind)) == 0 {
		return nil
	}
	level.Warn(s.log).Log("msg", "user's roles do not fit the organisation's kind; refused", "user_id", u.ID)
	if err := s.auditAlone(ctx, s.rec.New(ctx, action, "user", u.ID, event.Denied)); err != nil {
		return err
	}
	return ErrAccountRolesInvalid
}

var errReplay = errors.New("identity: TOTP code already used")

// loginFailed audits a failed login (userID is empty for an unknown email)
// and returns the one answer every failure gets.
func (s *service) loginFailed(ctx context.Context, action, userID string) error {
	objectType := "user"
	if userID == "" {
		objectType = ""
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, action, objectType, userID, event.Denied)); err != nil {
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
	if ok, wait, byAddress := s.throttle.Attempt(refreshThrottleKey, addr); !ok {
		return Tokens{}, s.refused("refresh", LimitRefreshFailures, wait, byAddress)
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
		org, err := s.store.org(ctx, tx, u.OrgID)
		if err != nil {
			return err
		}
		if !first || ss.Revoked || !now.Before(ss.ExpiresAt) || u.Status != StatusActive || !checkUserMAC(s.macKey, u) ||
			len(s.roles.Misfits(u.Roles, org.Kind)) > 0 {
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
		if err := s.store.touchSession(ctx, tx, sid, now); err != nil {
			return err
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
	s.throttle.Succeeded(refreshThrottleKey, addr)
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
	if err := s.usable(ctx, "identity.me", u); err != nil {
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
