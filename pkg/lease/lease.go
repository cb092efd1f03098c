package lease

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/db"
)

// Defaults: a waiting replica asks for the lease every Retry, and the
// holder checks its session every Check, giving the job up when the
// check fails or takes longer than Check.
const (
	DefaultRetry = 2 * time.Second
	DefaultCheck = 2 * time.Second
)

// Options tune a lease; the zero value takes the defaults.
type Options struct {
	Retry  time.Duration
	Check  time.Duration
	Logger log.Logger
}

// Run runs fn while this process holds the lease called name among every
// process on d's database, until ctx ends. fn's context ends when the
// lease is lost; a waiting replica then takes over within Retry. fn
// returning early (an error) gives the lease up and it is asked for
// again after Retry.
func Run(ctx context.Context, d *db.DB, name string, o Options, fn func(context.Context) error) error {
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	if o.Check <= 0 {
		o.Check = DefaultCheck
	}
	if o.Logger == nil {
		o.Logger = log.NewNopLogger()
	}
	if d.Engine != db.Postgres {
		return fn(ctx)
	}
	key := db.AdvisoryLockKey("lease/" + name)
	for {
		held, err := hold(ctx, d, key, o, fn)
		if err != nil && ctx.Err() == nil {
			level.Warn(o.Logger).Log("msg", "singleton job", "lease", name, "held", held, "err", err)
		}
		if ctx.Err() != nil {
			return nil
		}
		t := time.NewTimer(o.Retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// errLost ends the job when the lease's session fails its check.
var errLost = errors.New("lease: session lost")

// hold takes the lease if it is free and runs fn under it; it reports
// whether it held the lease.
func hold(ctx context.Context, d *db.DB, key int64, o Options, fn func(context.Context) error) (bool, error) {
	conn, err := d.Conn(ctx)
	if err != nil {
		return false, err
	}
	var mine bool
	// A connection that carried the lock, or may have (the answer lost),
	// never goes back to the pool: closing the session frees the lock.
	discard := func() { _ = conn.Raw(func(any) error { return driver.ErrBadConn }) }
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&mine); err != nil {
		discard()
		return false, err
	}
	if !mine {
		conn.Close() // nothing held: back to the pool
		return false, nil
	}
	defer discard()
	jctx, cancel := context.WithCancelCause(ctx)
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		check(jctx, conn, o.Check, cancel)
	}()
	err = fn(jctx)
	cancel(nil)
	<-checked
	if cause := context.Cause(jctx); errors.Is(cause, errLost) {
		return true, cause
	}
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), o.Check)
	defer ucancel()
	_, _ = conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key)
	if err != nil {
		return true, fmt.Errorf("lease: job: %w", err)
	}
	return true, nil
}

// check pings the lease's session every period; a failed or slow ping
// means another replica may hold the lease soon, so the job must stop.
func check(ctx context.Context, conn *sql.Conn, period time.Duration, stop context.CancelCauseFunc) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, period)
		_, err := conn.ExecContext(pctx, `SELECT 1`)
		cancel()
		if err != nil && ctx.Err() == nil {
			stop(fmt.Errorf("%w: %w", errLost, err))
			return
		}
	}
}
