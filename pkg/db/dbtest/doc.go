// Package dbtest gives tests a fresh database on each engine: a temporary
// SQLite directory always, and a PostgreSQL database created for the test
// and dropped after it when a server is reachable. With
// NRM_REQUIRE_POSTGRES=1 (as in CI) an unreachable server fails the test
// instead of skipping it.
//
// Migrating a database takes far longer than copying one, so a package
// whose TestMain calls Run migrates each service once per engine and
// gives each test a copy: CREATE DATABASE … TEMPLATE on PostgreSQL, a
// file copy on SQLite. A copy is what the test would have migrated
// itself, down to the login roles, which carry the test database's name
// as they would in a deployment. The templates are dropped when the
// package's tests end, or as soon as a test fails, since a panicking test
// ends the process before Run could drop them.
//
// Test databases commit without waiting for the disk: SQLite copies with
// synchronous=OFF (db.Config.NoSync), PostgreSQL test databases with
// synchronous_commit=off. Neither loses a commit when a process dies;
// only a power cut could, and no test here is about one.
package dbtest
