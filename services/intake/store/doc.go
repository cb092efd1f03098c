// Package store is intake's SQL over its own tables: cases, consents,
// grants, sections, wraps and their MACs, the workflow, its decisions and
// deadlines, record entries, break-the-glass, disclosures and legal holds.
// Every statement runs on both engines (PostgreSQL and SQLite); rows are
// scanned through one helper per type.
//
// A Store keeps nothing but a prepared statement: each method takes the
// Querier it runs on (the *sql.DB, or the caller's *sql.Tx), so the service
// composes several writes into one transaction, a change with its audit
// event. Snapshot reads a case as one organisation reads it in one
// consistent snapshot (one statement on PostgreSQL, a read-only
// transaction on SQLite). WritesFor holds a registration group's inserts
// back and sends them with the next statement that needs an answer
// (PostgreSQL). References hands out the per-year case reference numbers,
// one counter update for a group of registrations. A missing row is
// casefile.ErrNotFound, never an empty one.
//
// The store never decides who may read what, never seals or opens a
// section (sealed bytes and MACs go in and out as stored) and never writes
// an audit event or an outbox message: the services above it do. It
// depends only on pkg/db, pkg/seal's section names, casefile (the domain
// types) and keyring (the stored MAC set); internal/rules checks it
// imports nothing above it.
package store
