package identity

import (
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity/guard"
)

// Argon2Params are the argon2id parameters of new password hashes
// (guard.Argon2Params).
type Argon2Params = guard.Argon2Params

// DefaultArgon2: 64 MiB, 3 passes, 2 lanes (guard.DefaultArgon2).
var DefaultArgon2 = guard.DefaultArgon2

// Password length limits.
const (
	MinPasswordLen = guard.MinPasswordLen
	MaxPasswordLen = guard.MaxPasswordLen
)

// Names of identity's own limits, as a 429 names them (body "limit"; the
// fixed values are listed in docs/operations.md). Add names, never rename.
const (
	// LimitLoginFailuresAccount: failed sign-ins (or password changes)
	// for one email from one address.
	LimitLoginFailuresAccount = "login_failures_account"
	// LimitLoginFailuresAddress: failed sign-ins, refreshes and password
	// resets from one address, whatever the account.
	LimitLoginFailuresAddress = "login_failures_address"
	// LimitSecondFactorFailures: wrong second-factor codes for one account.
	LimitSecondFactorFailures = "second_factor_failures"
	// LimitRefreshFailures: refused refresh tokens from one address.
	LimitRefreshFailures = "refresh_failures"
	// LimitPasswordReset: refused password-reset tokens from one address.
	LimitPasswordReset = "password_reset"
	// LimitHashingQueue: password checks one address may have waiting.
	LimitHashingQueue = guard.LimitHashingQueue
)

// refused answers an attempt the throttle refused: own names the limit of
// the (key, address) counter; the address counter has its own name.
func (s *service) refused(scope, own string, wait time.Duration, byAddress bool) error {
	s.metrics.throttled.WithLabelValues(scope).Inc()
	if byAddress {
		own = LimitLoginFailuresAddress
	}
	return kit.RateLimited(own, wait)
}
