package guard

import "time"

// Second-factor guessing (NIST SP 800-63B §5.2.2): wrong codes are counted
// per account, whatever the address. After a few free ones each further
// code waits longer (1 s, 2 s, 4 s … at most a minute after the last
// wrong one), and after identity.MaxTOTPFailures in a row the second
// factor is suspended until an administrator resets it. Only someone who
// already has the password can get this far, so this lock cannot be used
// to shut a user out without it.
const (
	codeFreeFailures = 5
	// CodeBackoffBase is the first wait after the free wrong codes.
	CodeBackoffBase = time.Second
	codeBackoffMax  = time.Minute
)

// CodeWait returns how long an account with failures wrong codes in a
// row, the last at last, must still wait before its next code is checked.
func CodeWait(failures int, last, now time.Time) time.Duration {
	n := failures - codeFreeFailures
	if n < 0 || last.IsZero() {
		return 0
	}
	d := codeBackoffMax
	if n < 16 {
		d = min(CodeBackoffBase<<n, codeBackoffMax)
	}
	return last.Add(d).Sub(now)
}
