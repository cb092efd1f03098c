package db

import (
	"database/sql"
	"database/sql/driver"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
)

// MigrationProvider is the goose provider of service's migrations, for
// tests of one migration's effect on data.
func MigrationProvider(e Engine, sdb *sql.DB, service string) (*goose.Provider, error) {
	return provider(e, sdb, service)
}

// OpenSQLiteFile opens service's SQLite file in dir without migrating it.
func OpenSQLiteFile(dir, service string) (*sql.DB, error) {
	return openSQLite(dir, service, DefaultLockWait, false)
}

// CachingConnector exposes the statement cache to the external tests.
func CachingConnector(c driver.Connector, size int) driver.Connector {
	return stmtCache{Connector: c, size: size, replanAfter: replanAfter}
}

// CachingConnectorReplanning is CachingConnector preparing statements
// again once they are replan old.
func CachingConnectorReplanning(c driver.Connector, size int, replan time.Duration) driver.Connector {
	return stmtCache{Connector: c, size: size, replanAfter: replan}
}

// SetOutboxChanges puts changes in place of the outbox's numbered changes
// until the returned function restores them.
func SetOutboxChanges(changes func(engine string) (fs.FS, error)) (restore func()) {
	old := outboxChanges
	outboxChanges = changes
	return func() { outboxChanges = old }
}

// CommitUnknown is commitUnknown, for its table test.
var CommitUnknown = commitUnknown

// Gated returns c behind a reconnection gate telling onChange of its
// changes of state; gated false returns c as it is (the old behaviour,
// for comparison).
func Gated(c driver.Connector, gated bool, onChange func(down bool, err error)) driver.Connector {
	if !gated {
		return c
	}
	return gatedConnector{Connector: c, gate: newReconnectGate(onChange)}
}

// CachedStatements is how many statements conn's driver connection holds
// prepared (-1: it has no statement cache).
func CachedStatements(conn *sql.Conn) int {
	n := -1
	_ = conn.Raw(func(dc any) error {
		if c, ok := dc.(*cachingConn); ok {
			n = len(c.stmts)
		}
		return nil
	})
	return n
}
