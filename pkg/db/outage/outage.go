package outage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
)

// Suggested waits before a retry, by kind of outage.
const (
	// RetryBusy follows a lock or connection wait that ran out of budget.
	RetryBusy = time.Second
	// RetryDown follows a database that refused or dropped a connection,
	// is shutting down or starting up, or has no space or memory left.
	RetryDown = 5 * time.Second
)

// Error marks Err as an outage; RetryAfter is when a retry may succeed.
type Error struct {
	Err        error
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "unavailable"
	}
	return "unavailable: " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns err marked as an outage to retry after d.
func New(err error, d time.Duration) *Error { return &Error{Err: err, RetryAfter: d} }

// Classify reports whether err (or an error it wraps) is an outage, and
// the wait to suggest before a retry.
func Classify(err error) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	var oe *Error
	if errors.As(err, &oe) {
		return max(oe.RetryAfter, time.Second), true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return RetryBusy, true
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return RetryDown, true
	}
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		return postgres(string(pqe.Code))
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return sqliteCode(se.Code())
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE,
		syscall.ENOSPC, syscall.EDQUOT, syscall.EIO, syscall.EROFS, syscall.EHOSTUNREACH, syscall.ENETUNREACH} {
		if errors.Is(err, errno) {
			return RetryDown, true
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return RetryDown, true
	}
	return 0, false
}

// Is reports whether err is an outage.
func Is(err error) bool {
	_, ok := Classify(err)
	return ok
}

// postgres classifies a SQLSTATE: connection exceptions (class 08),
// insufficient resources (53: disk full, out of memory, too many
// connections), operator intervention (57P01-57P03: shutdown, crash,
// cannot connect now), a lock or statement timeout (55P03, 57014) and
// I/O errors (58030).
func postgres(code string) (time.Duration, bool) {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"),
		code == "57P01", code == "57P02", code == "57P03", code == "58030":
		return RetryDown, true
	case code == "55P03", code == "57014":
		return RetryBusy, true
	}
	return 0, false
}

// SQLite result codes (the primary code is the low byte of an extended one).
const (
	sqliteBusy      = 5
	sqliteLocked    = 6
	sqliteNoMem     = 7
	sqliteInterrupt = 9
	sqliteIOErr     = 10
	sqliteFull      = 13
)

func sqliteCode(code int) (time.Duration, bool) {
	switch code & 0xff {
	case sqliteBusy, sqliteLocked, sqliteInterrupt:
		return RetryBusy, true
	case sqliteNoMem, sqliteIOErr, sqliteFull:
		return RetryDown, true
	}
	return 0, false
}
