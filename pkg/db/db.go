package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/lib/pq" // PostgreSQL driver; also registered as "postgres"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // SQLite driver (pure Go)

	"github.com/nrm-project/nrm/migrations"
	"github.com/nrm-project/nrm/pkg/fault"
	"github.com/nrm-project/nrm/pkg/outbox/schema"
)

// Engine is a database engine.
type Engine string

// Engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// ErrNotFound is returned by stores for a missing row (never nil, nil).
var ErrNotFound = errors.New("not found")

// Config says where the databases are: DataDir for the embedded default,
// or URL for PostgreSQL.
type Config struct {
	DataDir string
	URL     string
	// RolePassword returns the password of a service's login role on
	// PostgreSQL (derived from the master key, so nothing stores it).
	RolePassword func(role string) string
	// LockWait bounds how long a statement waits for SQLite's write lock
	// (its busy_timeout; default DefaultLockWait). Keep it no longer than
	// a request's budget: a request's own deadline ends the wait sooner.
	LockWait time.Duration
	// Logger is told when a PostgreSQL database becomes unreachable and
	// reachable again (once each); nil logs nothing.
	Logger log.Logger
	// NoSync stops SQLite syncing to disk at each commit (synchronous=OFF).
	// Tests only (pkg/db/dbtest): a power cut is no unit test's subject,
	// and the syncs were most of their time. A crashed process still loses
	// nothing; the binary never sets it.
	NoSync bool
}

// reconnectLog returns the gate's state-change logger of service.
func (c Config) reconnectLog(service string) func(down bool, err error) {
	if c.Logger == nil {
		return nil
	}
	return func(down bool, err error) {
		if down {
			level.Warn(c.Logger).Log("msg", "database unreachable; reconnecting with backoff", "service", service, "err", err)
		} else {
			level.Info(c.Logger).Log("msg", "database reachable again", "service", service)
		}
	}
}

// DefaultLockWait is the default Config.LockWait (nrm serve sets it to
// the request budget).
const DefaultLockWait = 10 * time.Second

// Engine returns the engine cfg selects.
func (c Config) Engine() Engine {
	if c.URL != "" {
		return Postgres
	}
	return SQLite
}

// DB is one service's database.
type DB struct {
	*sql.DB
	Engine  Engine
	Service string
	cfg     Config
	// commitFault is the fault hook of SetCommitFault.
	commitFault atomic.Pointer[func() error]
	writes      writeState
}

var serviceName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// Open opens service's database as that service's own login role. On the
// embedded default the file is created if needed.
func Open(ctx context.Context, cfg Config, service string) (*DB, error) {
	if !serviceName.MatchString(service) {
		return nil, fmt.Errorf("db: bad service name %q", service)
	}
	var (
		sdb *sql.DB
		err error
	)
	switch cfg.Engine() {
	case SQLite:
		sdb, err = openSQLite(cfg.DataDir, service, cfg.lockWait(), cfg.NoSync)
	case Postgres:
		var dsn string
		dsn, err = serviceDSN(cfg, service)
		var (
			connector *pq.Connector
			prepare   bool
		)
		if err == nil {
			dsn, prepare = preparedStatements(dsn)
			connector, err = pq.NewConnector(dsn)
		}
		if err == nil {
			var c driver.Connector = connector
			if prepare {
				c = stmtCache{Connector: connector, size: stmtsPerConn, replanAfter: replanAfter}
			}
			sdb = sql.OpenDB(gatedConnector{Connector: c, gate: newReconnectGate(cfg.reconnectLog(service))})
		}
		if err == nil {
			sdb.SetMaxOpenConns(16)
			sdb.SetMaxIdleConns(16)
			sdb.SetConnMaxIdleTime(5 * time.Minute)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", service, err)
	}
	return &DB{DB: sdb, Engine: cfg.Engine(), Service: service, cfg: cfg}, nil
}

func (c Config) lockWait() time.Duration {
	if c.LockWait <= 0 {
		return DefaultLockWait
	}
	return c.LockWait
}

// sqliteDriver is the registered SQLite driver.
var sqliteDriver = func() driver.Driver {
	d, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	defer d.Close()
	return d.Driver()
}()

func openSQLite(dir, service string, lockWait time.Duration, noSync bool) (*sql.DB, error) {
	if dir == "" {
		return nil, errors.New("no data directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, service+".db")
	// Immediate transactions take the write lock at BEGIN, so two writers
	// queue on the busy timeout instead of failing on lock upgrade. The
	// driver ends that wait when the statement's context is done, so a
	// request waits no longer than its deadline.
	sync := "FULL"
	if noSync {
		sync = "OFF"
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(" + strconv.FormatInt(lockWait.Milliseconds(), 10) + ")&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")&_txlock=immediate&_time_format=sqlite"
	sdb := sql.OpenDB(stmtCache{Connector: dsnConnector{dsn: dsn, drv: sqliteDriver}, size: stmtsPerConn, inProcess: true})
	sdb.SetMaxOpenConns(8)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := sdb.Ping(); err != nil {
			sdb.Close()
			return nil, err
		}
	}
	_ = os.Chmod(path, 0o600)
	return sdb, nil
}

// BeginTx begins a transaction. Only a fault-suite build (pkg/fault) can
// make a writing one fail here, as a full disk would.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	if opts == nil || !opts.ReadOnly {
		if err := fault.Check(fault.DiskFull); err != nil {
			return nil, err
		}
	}
	return db.DB.BeginTx(ctx, opts)
}

// Tx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		db.NoteWrite(err)
		return err
	}
	if err := db.commit(tx); err != nil {
		db.NoteWrite(err)
		if commitUnknown(db.Engine, err) {
			return fmt.Errorf("db: commit: %w: %w", ErrCommitUnknown, err)
		}
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// SchemaCurrent reports whether every migration of the service has been
// applied; it fails when the database is unreachable.
func (db *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	p, err := provider(db.Engine, db.DB, db.Service)
	if err != nil {
		return false, err
	}
	op, err := outboxProvider(db.Engine, db.DB, db.Service)
	if err != nil {
		return false, err
	}
	if op != nil {
		// Asked with the version table missing, goose would create it,
		// which the service's role may not do: none yet is behind.
		ran, err := db.tableExists(ctx, schema.VersionTable)
		if err != nil || !ran {
			return false, err
		}
	}
	for _, p := range []*goose.Provider{p, op} {
		if p == nil {
			continue
		}
		if pending, err := p.HasPending(ctx); err != nil || pending {
			return false, err
		}
	}
	return true, nil
}

func provider(e Engine, sdb *sql.DB, service string) (*goose.Provider, error) {
	sub, err := migrations.For(service, string(e))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect(e), sdb, sub, goose.WithDisableGlobalRegistry(true))
}

// outboxChanges returns the numbered outbox changes of an engine (tests
// put their own in its place).
var outboxChanges = schema.FS

// outboxProvider runs the numbered outbox changes (pkg/outbox/schema) on
// service's database, with their own version table; nil when the service
// has no outbox or there are no such changes yet.
func outboxProvider(e Engine, sdb *sql.DB, service string) (*goose.Provider, error) {
	if migrations.OutboxSteps[service] == nil {
		return nil, nil
	}
	sub, err := outboxChanges(string(e))
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect(e), sdb, sub, goose.WithDisableGlobalRegistry(true), goose.WithTableName(schema.VersionTable))
	if errors.Is(err, goose.ErrNoMigrations) {
		return nil, nil
	}
	return p, err
}

// migrateUp runs service's own migrations, then the outbox changes; with
// to above 0, its own migrations up to version to and nothing else.
func migrateUp(ctx context.Context, e Engine, sdb *sql.DB, service string, to int64) error {
	p, err := provider(e, sdb, service)
	if err != nil {
		return err
	}
	if to > 0 {
		_, err := p.UpTo(ctx, to)
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return err
	}
	op, err := outboxProvider(e, sdb, service)
	if err != nil || op == nil {
		return err
	}
	_, err = op.Up(ctx)
	return err
}

// tableExists reports whether the service's schema has table.
func (db *DB) tableExists(ctx context.Context, table string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if db.Engine == Postgres {
		q = `SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`
	}
	var n int
	err := db.QueryRowContext(ctx, q, table).Scan(&n)
	return n > 0, err
}

func dialect(e Engine) goose.Dialect {
	if e == Postgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// Placeholder-free identifiers only: quoteIdent is for names we build.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// Rebind rewrites the $N placeholders of a query for the engine: SQLite
// reads "$N" as a named parameter and looks each one up linearly, which
// makes a multi-row INSERT with hundreds of parameters cost quadratic time
// to prepare; "?N" is positional there. PostgreSQL keeps "$N".
func Rebind(e Engine, query string) string {
	if e != SQLite || !strings.Contains(query, "$") {
		return query
	}
	b := []byte(query)
	inQuote := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\'':
			inQuote = !inQuote
		case !inQuote && b[i] == '$' && i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '9':
			b[i] = '?'
		}
	}
	return string(b)
}

// IsUniqueViolation reports whether err is a unique or primary-key
// violation, on either engine.
func IsUniqueViolation(err error) bool {
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		return pqe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
