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

// CustomPlan starts a statement that PostgreSQL never prepares: it plans
// it for its arguments and the tables as they are at every call (SQLite,
// which keeps no generic plans, prepares it as any other). For the
// statements of queues (the outbox), whose size swings from empty to a
// large backlog and back within minutes, faster than statistics follow.
const CustomPlan = "/* custom plan */ "

// stmtCache is a driver.Connector whose connections prepare each statement
// that has parameters once and from then on only bind and execute it, so
// the database parses, analyses and plans it once per connection instead
// of on every call. Under registration load that work was over a third of
// PostgreSQL's CPU; on SQLite, parsing was a fifth of the statistics
// service's. On PostgreSQL a statement is prepared the second time a
// connection runs it: multi-row statements built for one batch size, which
// may never come again, run once unprepared (one round trip, where
// preparing takes two). SQLite prepares in process, so there it is
// prepared at once. Statements without parameters (DDL, migrations,
// several statements in one string) go through unchanged.
type stmtCache struct {
	driver.Connector
	size        int
	replanAfter time.Duration // 0: never prepared again for its age
	inProcess   bool          // SQLite: preparing costs no round trip; statements are closed with their connection
}

func (c stmtCache) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	var base baseConn
	switch bc := conn.(type) {
	case baseConn:
		base = bc
	case sqliteConn:
		base = sqliteBase{bc}
	default:
		return conn, nil
	}
	return &cachingConn{baseConn: base, size: c.size, replanAfter: c.replanAfter, inProcess: c.inProcess,
		stmts: map[string]*list.Element{}, order: list.New(), seen: map[string]bool{}}, nil
}

// sqliteConn is what the SQLite driver's connection implements and
// database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// sqliteBase adds to a SQLite connection the argument check it lacks,
// deferring to database/sql's own conversion, as without one.
type sqliteBase struct{ sqliteConn }

func (sqliteBase) CheckNamedValue(*driver.NamedValue) error { return driver.ErrSkip }

// dsnConnector opens drv's connections to dsn (the SQLite driver has no
// connector of its own).
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// baseConn is what lib/pq's connection implements and database/sql uses.
type baseConn interface {
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
	baseConn
	size        int
	replanAfter time.Duration
	inProcess   bool
	stmts       map[string]*list.Element // query → element of order
	order       *list.List               // of *cachedStmt, most recently used first
	evicted     []driver.Stmt            // closed when the connection is next reset
	seen        map[string]bool          // run once, unprepared; cleared when it grows past 4×size
}

type cachedStmt struct {
	query    string
	stmt     driver.Stmt
	prepared time.Time
	reading  bool // its rows are open: the statement cannot run again until they close
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.direct(query, args) {
		return c.baseConn.ExecContext(ctx, query, args)
	}
	cs, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs.reading {
		return c.baseConn.ExecContext(ctx, query, args)
	}
	res, err := cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	c.forgetIfStale(query, err)
	return res, err
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.direct(query, args) {
		return c.baseConn.QueryContext(ctx, query, args)
	}
	cs, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs.reading {
		// The same query inside the reading of its own rows (SQLite
		// allows it on one connection): the statement is in use.
		return c.baseConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	c.forgetIfStale(query, err)
	if err != nil {
		return nil, err
	}
	cs.reading = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// cachedRows marks its statement free again once closed. database/sql
// closes rows under the connection's lock, as it calls the connection.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	r.cs.reading = false
	return r.Rows.Close()
}

// direct reports whether query runs without a prepared statement: it has
// no parameters, asks for a custom plan, or is new to this connection.
func (c *cachingConn) direct(query string, args []driver.NamedValue) bool {
	if len(args) == 0 {
		return true
	}
	if c.inProcess {
		// Custom plans answer PostgreSQL's generic ones; SQLite has
		// none to avoid (it plans again where a bound value could
		// change the plan).
		return false
	}
	return strings.HasPrefix(query, CustomPlan) || c.firstRun(query)
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
func (c *cachingConn) prepared(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.stmts[query]; ok {
		cs := e.Value.(*cachedStmt)
		if c.replanAfter == 0 || cs.reading || time.Since(cs.prepared) < c.replanAfter {
			c.order.MoveToFront(e)
			return cs, nil
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
	cs := &cachedStmt{query: query, stmt: st, prepared: time.Now()}
	c.stmts[query] = c.order.PushFront(cs)
	for c.order.Len() > c.size {
		old := c.order.Back()
		cs := c.order.Remove(old).(*cachedStmt)
		delete(c.stmts, cs.query)
		if c.inProcess && !cs.reading {
			_ = cs.stmt.Close() // SQLite: no server to talk to
			continue
		}
		// Closing talks to the server: not in the middle of someone's
		// transaction, but when the pool next resets the connection
		// (which is never while the statement's rows are open).
		c.evicted = append(c.evicted, cs.stmt)
	}
	return cs, nil
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
	return c.baseConn.ResetSession(ctx)
}

// Close closes the connection. SQLite's statements are closed first: a
// connection closed with statements still open is only marked closed and
// keeps its file and memory until they are. PostgreSQL drops a session's
// statements with the session, without a round trip each.
func (c *cachingConn) Close() error {
	if c.inProcess {
		for e := c.order.Front(); e != nil; e = e.Next() {
			_ = e.Value.(*cachedStmt).stmt.Close()
		}
		for _, st := range c.evicted {
			_ = st.Close()
		}
		clear(c.stmts)
		c.order.Init()
		c.evicted = nil
	}
	return c.baseConn.Close()
}
