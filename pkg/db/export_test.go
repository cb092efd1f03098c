package db

import "database/sql/driver"

// CachingConnector exposes the statement cache to the external tests.
func CachingConnector(c driver.Connector, size int) driver.Connector {
	return stmtCache{Connector: c, size: size}
}
