// Package schema is the one home of the outbox tables' schema (outbox,
// outbox_seq), shared by every service that has an outbox.
//
// Two kinds of file, per engine:
//
//   - named steps (streams.sql, delivered_mark.sql, …): the changes made
//     before the outbox had a home of its own. Deployed databases ran them
//     inside each service's own migration sequence, so each service keeps
//     them at the versions it ran them (migrations.OutboxSteps), and they
//     are never edited: one text, read by four sequences.
//   - numbered changes (NNNN_name.sql): every later change to the outbox
//     tables, written once here and applied by `nrm migrate` to every
//     service with an outbox, after that service's own migrations, with
//     its own version table (outbox_goose_db_version). Append-only, like
//     every migration.
package schema

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// FS returns the schema files of engine ("postgres" or "sqlite").
func FS(engine string) (fs.FS, error) { return fs.Sub(files, engine) }

// VersionTable is the table recording which numbered changes a service's
// database has run.
const VersionTable = "outbox_goose_db_version"
