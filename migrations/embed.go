// Package migrations embeds the SQL migrations of every service, one folder
// per service and engine: <service>/{postgres,sqlite}/NNNN_name.sql. They
// are append-only: a migration that has landed is never edited.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed */postgres/*.sql */sqlite/*.sql
var FS embed.FS
