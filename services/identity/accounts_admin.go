package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
)

// PasswordReset is a one-time password-reset token, shown once to the
// administrator who issued it, for the user (as a link or in person).
type PasswordReset struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PasswordResetRequest sets a new password with a reset token.
type PasswordResetRequest struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

// PasswordResetTTL is how long a reset token works.
const PasswordResetTTL = time.Hour

const (
	actionUserEnable         = "identity.user.enable"
	actionPasswordResetIssue = "identity.password_reset.issue"
	actionPasswordResetUse   = "identity.password_reset.use"
	// resetThrottleKey is the throttle's "account" for reset tokens: they
	// cannot be guessed, but a flood of bad ones must not fill the log.
	resetThrottleKey = "\x00password-reset"
)

// ErrInvalidResetToken answers every unknown, used or expired token alike.
var ErrInvalidResetToken = kit.NewError(http.StatusBadRequest, CodeInvalidResetToken,
	"token: this password-reset token is unknown, already used or expired; ask an administrator for a new one")

// target loads the account an administrator acts on: 404 (audited) when
// it does not exist or lies outside the caller's organisation, 403
// (audited) for an org_admin acting on a privileged account.
func (s *service) target(ctx context.Context, p auth.Principal, action, id string) (userRow, error) {
	if !validUUID(id) {
		return userRow{}, s.deny(ctx, action, "", "", ErrNotFound)
	}
	u, err := s.store.userByID(ctx, s.store.db, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !inScope(p, u.OrgID)) {
		return userRow{}, s.deny(ctx, action, "user", id, ErrNotFound)
	}
	if err != nil {
		return userRow{}, err
	}
	if !s.mayAdminister(p, u) {
		return userRow{}, s.deny(ctx, action, "user", id, kit.NewError(http.StatusForbidden, CodePrivilegedRole,
			"only a system administrator may act on an account holding a privileged role"))
	}
	return u, nil
}

func (s *service) ResetSecondFactor(ctx context.Context, id string) error {
	p, err := s.admin(ctx, actionSecondFactorReset)
	if err != nil {
		return err
	}
	u, err := s.target(ctx, p, actionSecondFactorReset, id)
	if err != nil {
		return err
	}
	secret, _, err := newTOTP(u.Email)
	if err != nil {
		return err
	}
	sealed, err := sealTOTP(s.totpKey, u.ID, secret)
	if err != nil {
		return fmt.Errorf("identity: seal totp: %w", err)
	}
	now := s.now()
	return s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.setTOTP(ctx, tx, u.ID, sealed, SecondFactorPending, now.Add(SecondFactorResetWindow), now); err != nil {
			return err
		}
		// A ticket issued for the old secret does not fetch the new one.
		if err := s.store.voidTickets(ctx, tx, u.ID, now); err != nil {
			return err
		}
		// Whoever holds the lost phone and a session is signed out.
		revoked, err := s.store.revokeUserSessions(ctx, tx, u.ID, now)
		if err != nil {
			return err
		}
		return s.recovered(ctx, tx, u.ID, u.OrgID, notice.RecoverySecondFactorReset, append(revocationEvents(s, ctx, revoked),
			s.rec.New(ctx, actionSecondFactorReset, "user", u.ID, event.Allowed))...)
	})
}

func (s *service) EnableUser(ctx context.Context, id string) error {
	p, err := s.admin(ctx, actionUserEnable)
	if err != nil {
		return err
	}
	u, err := s.target(ctx, p, actionUserEnable, id)
	if err != nil {
		return err
	}
	// A row disabled because it failed its integrity check keeps an empty
	// MAC: re-enabling must never bless what was written into it.
	if !checkUserMAC(s.macKey, u) {
		return s.deny(ctx, actionUserEnable, "user", id, kit.NewError(http.StatusConflict, CodeIntegrityCheck,
			"this account failed its integrity check and cannot be re-enabled; create a new one"))
	}
	org, err := s.store.org(ctx, s.store.db, u.OrgID)
	if err != nil {
		return err
	}
	if err := s.rolesFit(ctx, actionUserEnable, u.OrgID, u.Roles, org.Kind); err != nil {
		return err
	}
	now := s.now()
	mac := userMAC(s.macKey, u.ID, u.OrgID, u.Roles, StatusActive, u.Email)
	return s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.setStatus(ctx, tx, id, StatusActive, mac, now); err != nil {
			return err
		}
		return s.recovered(ctx, tx, u.ID, u.OrgID, notice.RecoveryEnabled, s.rec.New(ctx, actionUserEnable, "user", id, event.Allowed))
	})
}

func (s *service) IssuePasswordReset(ctx context.Context, id string) (PasswordReset, error) {
	p, err := s.admin(ctx, actionPasswordResetIssue)
	if err != nil {
		return PasswordReset{}, err
	}
	u, err := s.target(ctx, p, actionPasswordResetIssue, id)
	if err != nil {
		return PasswordReset{}, err
	}
	now := s.now()
	if err := s.separated(ctx, p, actionPasswordResetIssue, "enrolment_tickets", u.ID, now); err != nil {
		return PasswordReset{}, err
	}
	token, err := randomSecret()
	if err != nil {
		return PasswordReset{}, err
	}
	r := PasswordReset{Token: token, ExpiresAt: now.Add(PasswordResetTTL)}
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertPasswordReset(ctx, tx, s.resetHash(token), u.ID, p.UserID, now, r.ExpiresAt); err != nil {
			return err
		}
		return s.recovered(ctx, tx, u.ID, u.OrgID, notice.RecoveryPasswordResetIssued, s.rec.New(ctx, actionPasswordResetIssue, "user", u.ID, event.Allowed))
	})
	if err != nil {
		return PasswordReset{}, err
	}
	return r, nil
}

func (s *service) resetHash(token string) string {
	m := hmac.New(sha256.New, s.resetKey)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *service) ResetPassword(ctx context.Context, r PasswordResetRequest) error {
	addr := kit.ClientAddr(ctx)
	if ok, wait, byAddress := s.throttle.Attempt(resetThrottleKey, addr); !ok {
		return s.refused("password_reset", LimitPasswordReset, wait, byAddress)
	}
	if err := checkPassword("new_password", r.NewPassword); err != nil {
		return err
	}
	if len(r.Token) == 0 || len(r.Token) > 128 {
		return s.resetFailed(ctx)
	}
	// Hash first, spend the token after: a token is never spent on a
	// request that then fails for want of a hashing slot.
	hash, err := s.hasher.Hash(ctx, addr, r.NewPassword)
	if err != nil {
		return err
	}
	now := s.now()
	var userID string
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		userID, err = s.store.usePasswordReset(ctx, tx, s.resetHash(r.Token), now)
		if err != nil {
			return err
		}
		if err := s.store.setPassword(ctx, tx, userID, hash, now); err != nil {
			return err
		}
		revoked, err := s.store.revokeUserSessions(ctx, tx, userID, now)
		if err != nil {
			return err
		}
		u, err := s.store.userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		return s.recovered(ctx, tx, u.ID, u.OrgID, notice.RecoveryPasswordReset, append(revocationEvents(s, ctx, revoked),
			s.rec.New(ctx, actionPasswordResetUse, "user", userID, event.Allowed))...)
	})
	if errors.Is(err, ErrNotFound) {
		return s.resetFailed(ctx)
	}
	if err != nil {
		return err
	}
	s.throttle.Succeeded(resetThrottleKey, addr)
	return nil
}

func (s *service) resetFailed(ctx context.Context) error {
	if err := s.auditAlone(ctx, s.rec.New(ctx, actionPasswordResetUse, "", "", event.Denied)); err != nil {
		return err
	}
	return ErrInvalidResetToken
}
