package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/lib/pq"

	"github.com/nrm-project/nrm/pkg/kit"
)

// ErrCommitUnknown is in the chain of a Tx error when the commit was sent
// and its answer lost (the connection broke): the write may or may not
// have happened. Clients get 503 commit_unknown and retry with the same
// Idempotency-Key, which finds the outcome if it happened.
var ErrCommitUnknown = kit.ErrCommitUnknown

// commitUnknown reports whether a failed commit may have happened. A
// server that answered (a *pq.Error, such as a serialization failure)
// rolled back; a broken connection leaves it unknown. SQLite runs in
// process: a failed commit did not happen, unless a driver reports a bad
// connection.
func commitUnknown(engine Engine, err error) bool {
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	if engine != Postgres {
		return false
	}
	var pe *pq.Error
	return !errors.As(err, &pe) && !errors.Is(err, sql.ErrTxDone) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// SetCommitFault makes every later commit of Tx that succeeds report
// f's error instead when f returns one, or nothing when f is nil: a fault
// hook for tests of a connection lost after the commit was sent.
func (db *DB) SetCommitFault(f func() error) {
	if f == nil {
		db.commitFault.Store(nil)
		return
	}
	db.commitFault.Store(&f)
}

// commit commits tx, or reports the fault set by SetCommitFault after it.
func (db *DB) commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return err
	}
	if f := db.commitFault.Load(); f != nil {
		return (*f)()
	}
	return nil
}
