package db

import (
	"database/sql/driver"
	"time"
)

// CachingConnector exposes the statement cache to the external tests.
func CachingConnector(c driver.Connector, size int) driver.Connector {
	return stmtCache{Connector: c, size: size, replanAfter: replanAfter}
}

// CachingConnectorReplanning is CachingConnector preparing statements
// again once they are replan old.
func CachingConnectorReplanning(c driver.Connector, size int, replan time.Duration) driver.Connector {
	return stmtCache{Connector: c, size: size, replanAfter: replan}
}
