package db

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"time"

	"github.com/lib/pq"
)

// stmtsPerConn bounds the statements each PostgreSQL connection keeps
// prepared; the least recently used one is closed beyond it.
const stmtsPerConn = 128

// replanAfter is how long a connection keeps a statement prepared before
// preparing it again. PostgreSQL settles on a generic plan after a few
// executions and keeps it: one made while a table was nearly empty (a new
// deployment, a queue) may scan the whole table once it has grown, until
// an ANALYZE happens to invalidate it. Preparing again lets the plan follow
// the tables.
const replanAfter = time.Minute

// CustomPlan starts a statement that is never prepared: PostgreSQL plans it
// for its arguments and the tables as they are at every call. For the
// statements of queues (the outbox), whose size swings from empty to a
// large backlog and back within minutes, faster than statistics follow.
const CustomPlan = "/* custom plan */ "

// stmtCache is a driver.Connector whose connections prepare each statement
// that has parameters once and from then on only bind and execute it, so
// PostgreSQL parses, analyses and plans it once per connection instead of
// on every call. Under registration load that work was over a third of
// PostgreSQL's CPU. A statement is prepared the second time a connection
// runs it: multi-row statements built for one batch size, which may never
// come again, run once unprepared (one round trip, where preparing takes
// two). Statements without parameters (DDL, migrations, several statements
// in one string) go through unchanged.
type stmtCache struct {
	driver.Connector
	size        int
	replanAfter time.Duration
}

func (c stmtCache) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pgConn)
	if !ok {
		return conn, nil
	}
	return &cachingConn{pgConn: pc, size: c.size, replanAfter: c.replanAfter,
		stmts: map[string]*list.Element{}, order: list.New(), seen: map[string]bool{}}, nil
}

// pgConn is what lib/pq's connection implements and database/sql uses.
type pgConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// cachingConn is used by one goroutine at a time (database/sql's rule for
// driver connections), so it needs no lock.
type cachingConn struct {
	pgConn
	size        int
	replanAfter time.Duration
	stmts       map[string]*list.Element // query → element of order
	order       *list.List               // of *cachedStmt, most recently used first
	evicted     []driver.Stmt            // closed when the connection is next reset
	seen        map[string]bool          // run once, unprepared; cleared when it grows past 4×size
}

type cachedStmt struct {
	query    string
	stmt     driver.Stmt
	prepared time.Time
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.direct(query, args) {
		return c.pgConn.ExecContext(ctx, query, args)
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
	c.forgetIfStale(query, err)
	return res, err
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.direct(query, args) {
		return c.pgConn.QueryContext(ctx, query, args)
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	c.forgetIfStale(query, err)
	return rows, err
}

// direct reports whether query runs without a prepared statement: it has
// no parameters, asks for a custom plan, or is new to this connection.
func (c *cachingConn) direct(query string, args []driver.NamedValue) bool {
	return len(args) == 0 || strings.HasPrefix(query, CustomPlan) || c.firstRun(query)
}

// firstRun reports whether this connection has neither prepared nor run
// query before, and remembers that it has now.
func (c *cachingConn) firstRun(query string) bool {
	if _, ok := c.stmts[query]; ok || c.seen[query] {
		return false
	}
	if len(c.seen) >= 4*c.size {
		clear(c.seen)
	}
	c.seen[query] = true
	return true
}

// prepared returns query's statement on this connection, preparing it the
// first time and again once it is replanAfter old.
func (c *cachingConn) prepared(ctx context.Context, query string) (driver.Stmt, error) {
	if e, ok := c.stmts[query]; ok {
		cs := e.Value.(*cachedStmt)
		if time.Since(cs.prepared) < c.replanAfter {
			c.order.MoveToFront(e)
			return cs.stmt, nil
		}
		c.order.Remove(e)
		delete(c.stmts, query)
		c.evicted = append(c.evicted, cs.stmt)
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(driver.StmtExecContext); !ok {
		st.Close()
		return nil, errors.New("db: driver statement without context support")
	}
	c.stmts[query] = c.order.PushFront(&cachedStmt{query: query, stmt: st, prepared: time.Now()})
	for c.order.Len() > c.size {
		old := c.order.Back()
		cs := c.order.Remove(old).(*cachedStmt)
		delete(c.stmts, cs.query)
		// Closing talks to the server: not in the middle of someone's
		// transaction, but when the pool next resets the connection.
		c.evicted = append(c.evicted, cs.stmt)
	}
	return st, nil
}

// forgetIfStale drops a statement the server no longer accepts: it was
// deallocated, or a schema change altered its result columns.
func (c *cachingConn) forgetIfStale(query string, err error) {
	var pe *pq.Error
	if err == nil || !errors.As(err, &pe) {
		return
	}
	if pe.Code != "26000" && pe.Code != "0A000" { // invalid_sql_statement_name, feature_not_supported
		return
	}
	if e, ok := c.stmts[query]; ok {
		c.order.Remove(e)
		delete(c.stmts, query)
	}
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	for _, st := range c.evicted {
		if err := st.Close(); errors.Is(err, driver.ErrBadConn) {
			return err
		}
	}
	c.evicted = nil
	return c.pgConn.ResetSession(ctx)
}
