package identity

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/identity/guard"
)

// MaxTOTPFailures consecutive wrong codes suspend the second factor until
// an administrator resets it; before that each wrong code waits longer
// (guard.CodeWait).
const MaxTOTPFailures = 100

// Second-factor errors.
const (
	CodeSecondFactorSuspended = "second_factor_suspended"
	CodeEnrolmentExpired      = "enrolment_expired"
)

var (
	ErrSecondFactorSuspended = kit.NewError(http.StatusForbidden, CodeSecondFactorSuspended,
		"this account's second factor is suspended after too many wrong codes; an administrator must reset it")
	ErrEnrolmentExpired = kit.NewError(http.StatusForbidden, CodeEnrolmentExpired,
		"the time to enrol this account's second factor has passed; an administrator must reset it")
)

// checkCode checks code against the sealed secret of u (its current one,
// or a pending replacement) and returns the matched time step. The
// attempt is counted as a failure before the code is looked at; the
// caller clears the count with spendCode when it commits the success.
func (s *service) checkCode(ctx context.Context, action string, u userRow, sealed []byte, code string, now time.Time) (int64, error) {
	if u.SecondFactor == SecondFactorSuspended {
		if err := s.auditAlone(ctx, s.rec.New(ctx, action, "user", u.ID, event.Denied)); err != nil {
			return 0, err
		}
		return 0, ErrSecondFactorSuspended
	}
	if d := guard.CodeWait(u.TOTPFailures, u.TOTPFailedAt, now); d > 0 {
		s.metrics.throttled.WithLabelValues("totp").Inc()
		return 0, totpRateLimited(d)
	}
	ok, err := s.store.reserveTOTPAttempt(ctx, s.store.db, u.ID, u.TOTPFailures, now)
	if err != nil {
		return 0, err
	}
	if !ok { // another attempt on this account went first
		s.metrics.throttled.WithLabelValues("totp").Inc()
		return 0, totpRateLimited(guard.CodeBackoffBase)
	}
	secret, err := openTOTP(s.totpKey, u.ID, sealed)
	if err != nil {
		level.Warn(s.log).Log("msg", "TOTP secret does not decrypt; refused", "user_id", u.ID)
		return 0, s.loginFailed(ctx, action, u.ID)
	}
	if step := matchTOTP(secret, code, now); step != 0 {
		return step, nil
	}
	if u.TOTPFailures+1 < MaxTOTPFailures {
		return 0, s.loginFailed(ctx, action, u.ID)
	}
	err = s.store.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.suspendTOTP(ctx, tx, u.ID, now); err != nil {
			return err
		}
		// The owner and the organisation's administrators are told in
		// their inboxes; the user listing shows the state.
		return s.recovered(ctx, tx, u.ID, u.OrgID, notice.RecoverySecondFactorSuspended,
			s.rec.New(ctx, action, "user", u.ID, event.Denied),
			s.rec.New(ctx, "identity.totp.suspend", "user", u.ID, event.Allowed))
	})
	if err != nil {
		return 0, err
	}
	level.Warn(s.log).Log("msg", "second factor suspended after too many wrong codes", "user_id", u.ID)
	return 0, ErrSecondFactorSuspended
}

// totpRateLimited names the wait after too many wrong codes. Only a
// caller who has the password gets this far, so it tells nothing of
// whether an account exists.
func totpRateLimited(d time.Duration) error {
	return kit.RateLimited(LimitSecondFactorFailures, d)
}

// secondFactor checks a login's code: the user's secret, which for a
// pending first enrolment must still be within its window.
func (s *service) secondFactor(ctx context.Context, action string, u userRow, code string, now time.Time) (int64, error) {
	if u.SecondFactor == SecondFactorPending && !u.TOTPPendingUntil.IsZero() && !now.Before(u.TOTPPendingUntil) {
		if err := s.auditAlone(ctx, s.rec.New(ctx, action, "user", u.ID, event.Denied)); err != nil {
			return 0, err
		}
		return 0, ErrEnrolmentExpired
	}
	return s.checkCode(ctx, action, u, u.TOTPSecret, code, now)
}

// spendCode records step as used (errReplay when it was) and clears the
// run of wrong codes, confirming a pending first enrolment.
func (s *service) spendCode(ctx context.Context, tx *sql.Tx, u userRow, step int64, now time.Time) error {
	fresh, err := s.store.useTOTPStep(ctx, tx, u.ID, step)
	if err != nil {
		return err
	}
	if !fresh {
		return errReplay
	}
	return s.store.totpSucceeded(ctx, tx, u.ID, now)
}
