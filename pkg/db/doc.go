// Package db opens a service's database on either engine (the embedded
// SQLite default, one file per service, or PostgreSQL with one schema and one
// login role per service) and applies the embedded migrations.
package db
