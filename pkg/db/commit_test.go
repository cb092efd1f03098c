package db_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/lib/pq"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
)

func TestCommitOutcomeUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		engine db.Engine
		err    error
		want   bool
	}{
		{"bad connection on postgres", db.Postgres, driver.ErrBadConn, true},
		{"bad connection on sqlite", db.SQLite, fmt.Errorf("wrapped: %w", driver.ErrBadConn), true},
		{"connection closed mid-answer", db.Postgres, io.ErrUnexpectedEOF, true},
		{"network error", db.Postgres, &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, true},
		{"server refused the commit", db.Postgres, &pq.Error{Code: "40001"}, false},
		{"transaction already over", db.Postgres, sql.ErrTxDone, false},
		{"caller gone before the commit", db.Postgres, context.Canceled, false},
		{"sqlite full disk", db.SQLite, errors.New("database or disk is full (13)"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := db.CommitUnknown(tc.engine, tc.err); got != tc.want {
				t.Fatalf("commitUnknown = %v, want %v", got, tc.want)
			}
		})
	}
}

// A commit that happened but whose answer was lost is reported as
// commit_unknown (503, Retry-After), not as a plain failure: the client
// must not think nothing was written.
func TestTxReportsLostCommitAnswer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := dbtest.Open(t, e, "intake")
		d.SetCommitFault(func() error { return driver.ErrBadConn })
		err := d.Tx(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO idempotency_keys (key_mac, operation, body_mac, status, code, ids, created_at, expires_at)
				VALUES ('k', 'op', 'b', 201, '', '', 0, 1)`)
			return err
		})
		d.SetCommitFault(nil)
		if !errors.Is(err, db.ErrCommitUnknown) {
			t.Fatalf("Tx = %v, want ErrCommitUnknown", err)
		}
		if ke := kit.AsError(err); ke.Status != 503 || ke.Code != kit.CodeCommitUnknown || ke.RetryAfter <= 0 {
			t.Fatalf("answered as %+v", ke)
		}
		var n int
		if err := d.QueryRow(`SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d rows (%v): the fault must strike after the commit", n, err)
		}
	})
}
