package lease

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/db"
)

// Defaults: the holder of a group's session checks it, and asks for the
// leases it lacks, every Retry; a check failing or taking longer than
// Check gives every lease of the session up.
const (
	DefaultRetry = 2 * time.Second
	DefaultCheck = 2 * time.Second
)

// Options tune a group; the zero value takes the defaults.
type Options struct {
	Retry  time.Duration
	Check  time.Duration
	Logger log.Logger
}

// Group runs jobs, each under its own lease, all held on one database
// session of the process (one connection, whatever the number of jobs).
type Group struct {
	d    *db.DB
	o    Options
	jobs []*job
}

type job struct {
	name string
	key  int64
	fn   func(context.Context) error
}

// NewGroup returns an empty group over d's database.
func NewGroup(d *db.DB, o Options) *Group {
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	if o.Check <= 0 {
		o.Check = DefaultCheck
	}
	if o.Logger == nil {
		o.Logger = log.NewNopLogger()
	}
	return &Group{d: d, o: o}
}

// Add adds a job run under the lease called name, among every process
// on the database. Add before Run.
func (g *Group) Add(name string, fn func(context.Context) error) {
	g.jobs = append(g.jobs, &job{name: name, key: db.AdvisoryLockKey("lease/" + name), fn: fn})
}

// Run runs each job while this process holds its lease, until ctx ends.
// A job's context ends when its lease is lost; a waiting replica then
// takes over within Retry of the holder's session ending. A job that
// returns early gives its lease up, and asks for it again after Retry.
// On SQLite (one process) the jobs simply run.
func (g *Group) Run(ctx context.Context) error {
	if g.d.Engine != db.Postgres {
		var wg sync.WaitGroup
		for _, j := range g.jobs {
			wg.Go(func() {
				if err := j.fn(ctx); err != nil && ctx.Err() == nil {
					level.Error(g.o.Logger).Log("msg", "job stopped", "job", j.name, "err", err)
				}
			})
		}
		wg.Wait()
		return nil
	}
	for {
		if err := g.session(ctx); err != nil && ctx.Err() == nil {
			level.Warn(g.o.Logger).Log("msg", "lease session ended; its jobs stopped", "err", err)
		}
		if !sleep(ctx, g.o.Retry) {
			return nil
		}
	}
}

// Run runs fn under the lease called name (a group of one).
func Run(ctx context.Context, d *db.DB, name string, o Options, fn func(context.Context) error) error {
	g := NewGroup(d, o)
	g.Add(name, fn)
	return g.Run(ctx)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// running is a job started under a lease held by the session.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

// session holds leases on one connection until ctx ends or the
// connection fails. Only this goroutine uses the connection.
func (g *Group) session(ctx context.Context) error {
	conn, err := g.d.Conn(ctx)
	if err != nil {
		return err
	}
	// The connection carries (or may carry) locks: it never goes back
	// to the pool; closing the session frees every lock it held.
	defer func() { _ = conn.Raw(func(any) error { return driver.ErrBadConn }) }()
	held := map[*job]*running{}
	defer func() {
		for _, r := range held {
			r.cancel()
		}
		for _, r := range held {
			<-r.done
		}
	}()
	t := time.NewTicker(g.o.Retry)
	defer t.Stop()
	for {
		// Jobs that ended on their own give their lease up.
		for j, r := range held {
			select {
			case err := <-r.done:
				if err != nil && ctx.Err() == nil {
					level.Error(g.o.Logger).Log("msg", "job stopped; its lease is given up", "job", j.name, "err", err)
				}
				delete(held, j)
				if err := g.exec(ctx, conn, `SELECT pg_advisory_unlock($1)`, j.key); err != nil {
					return err
				}
			default:
			}
		}
		if err := g.exec(ctx, conn, `SELECT 1`); err != nil {
			return fmt.Errorf("lease: session check: %w", err)
		}
		for _, j := range g.jobs {
			if held[j] != nil {
				continue
			}
			mine, err := g.try(ctx, conn, j.key)
			if err != nil {
				return err
			}
			if mine {
				jctx, cancel := context.WithCancel(ctx)
				r := &running{cancel: cancel, done: make(chan error, 1)}
				held[j] = r
				go func() { r.done <- j.fn(jctx) }()
				level.Info(g.o.Logger).Log("msg", "lease taken", "job", j.name)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (g *Group) exec(ctx context.Context, conn *sql.Conn, q string, args ...any) error {
	cctx, cancel := context.WithTimeout(ctx, g.o.Check)
	defer cancel()
	_, err := conn.ExecContext(cctx, q, args...)
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}

func (g *Group) try(ctx context.Context, conn *sql.Conn, key int64) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, g.o.Check)
	defer cancel()
	var mine bool
	err := conn.QueryRowContext(cctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&mine)
	if err != nil && ctx.Err() != nil {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lease: try: %w", err)
	}
	return mine, nil
}
