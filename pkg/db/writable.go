package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
)

// WriteFailureMemory is how long a database that refused a write (disk
// full, I/O error) counts as refusing writes for readiness, unless a
// probe succeeds sooner.
const WriteFailureMemory = 10 * time.Second

// writeState is what a DB remembers of its writes for readiness.
type writeState struct {
	refusedAt atomic.Int64 // unix nanoseconds of the last refused write, 0 if none
	fault     atomic.Pointer[func() error]
}

// refusesWrites reports whether err says the database cannot take writes
// at all (as opposed to a conflict or a lock): disk or quota full, an I/O
// error, a read-only file, out of memory.
func refusesWrites(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 7, 8, 10, 13: // NOMEM, READONLY, IOERR, FULL
			return true
		}
	}
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		switch pqe.Code {
		case "53100", "53200", "58030", "25006": // disk full, out of memory, I/O error, read-only transaction
			return true
		}
	}
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EIO, syscall.EROFS} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// NoteWrite records the outcome of a write: a refusal makes Writable fail
// for WriteFailureMemory; Tx calls it, and so should stores that run
// their own transactions.
func (db *DB) NoteWrite(err error) {
	if refusesWrites(err) {
		db.writes.refusedAt.Store(time.Now().UnixNano())
	}
}

// SetWriteFault makes every write probe fail with what fault returns
// (nil: no fault), as a full disk would: a fault hook for tests and the
// fault suite, going through the same path as a real refusal.
func (db *DB) SetWriteFault(fault func() error) {
	if fault == nil {
		db.writes.fault.Store(nil)
		return
	}
	db.writes.fault.Store(&fault)
}

// Writable probes whether the database takes a write (a transaction that
// writes a commit record: SQLite rewrites its header's user version to
// the value it has, PostgreSQL assigns a transaction id). It fails when
// the probe is refused (disk full, I/O error), or while a write was
// refused less than WriteFailureMemory ago and no probe has succeeded
// since. A probe that only waited too long for a lock under load is not
// a refusal: reachability is the other checks' business.
func (db *DB) Writable(ctx context.Context) error {
	err := db.probeWrite(ctx)
	db.NoteWrite(err)
	if err == nil {
		db.writes.refusedAt.Store(0)
		return nil
	}
	if at := db.writes.refusedAt.Load(); at != 0 && time.Since(time.Unix(0, at)) < WriteFailureMemory {
		return fmt.Errorf("db: %s: refuses writes: %w", db.Service, err)
	}
	return nil
}

func (db *DB) probeWrite(ctx context.Context) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if f := db.writes.fault.Load(); f != nil {
			if err := (*f)(); err != nil {
				return err
			}
		}
		if db.Engine == Postgres {
			_, err := tx.ExecContext(ctx, `SELECT txid_current()`)
			return err
		}
		var v int64
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v))
		return err
	})
}
