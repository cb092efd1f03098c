// Package migrations embeds the SQL migrations of every service, one folder
// per service and engine: <service>/{postgres,sqlite}/NNNN_name.sql. They
// are append-only: a migration that has landed is never edited.
//
// The outbox tables are not a service's own: their schema lives in
// pkg/outbox/schema. The changes made to them before that home existed
// stay in each service's sequence at the versions deployed databases ran
// them (OutboxSteps), read from the one text there; later changes are
// numbered there and applied to every service with an outbox.
package migrations

import (
	"embed"
	"io/fs"
	"slices"
	"strings"

	"github.com/nrm-project/nrm/pkg/outbox/schema"
)

// FS holds every service's own migration files.
//
//go:embed */postgres/*.sql */sqlite/*.sql
var FS embed.FS

// OutboxSteps gives, per service with an outbox, the file name each
// outbox step had in its sequence and the step's file in
// pkg/outbox/schema.
var OutboxSteps = map[string]map[string]string{
	"identity": steps("0002", "0003", "0004", "0005"),
	"intake":   steps("0006", "0007", "0009", "0011"),
	"referral": steps("0003", "0004", "0005", "0006"),
	"stats":    steps("0003", "0004", "0005", "0007"),
}

func steps(streams, deliveredMark, idNotUnique, numberedIndex string) map[string]string {
	return map[string]string{
		streams + "_outbox_streams.sql":              "streams.sql",
		deliveredMark + "_outbox_delivered_mark.sql": "delivered_mark.sql",
		idNotUnique + "_outbox_id_not_unique.sql":    "id_not_unique.sql",
		numberedIndex + "_outbox_numbered_index.sql": "numbered_index.sql",
	}
}

// For returns the migration sequence of service on engine: its own files
// and the outbox steps it took, as one folder.
func For(service, engine string) (fs.FS, error) {
	own, err := fs.Sub(FS, service+"/"+engine)
	if err != nil {
		return nil, err
	}
	if OutboxSteps[service] == nil {
		return own, nil
	}
	outbox, err := schema.FS(engine)
	if err != nil {
		return nil, err
	}
	return sequenceFS{own: own, outbox: outbox, steps: OutboxSteps[service]}, nil
}

// sequenceFS is a service's migration folder with the outbox steps added
// under the names they have in its sequence.
type sequenceFS struct {
	own, outbox fs.FS
	steps       map[string]string
}

func (s sequenceFS) Open(name string) (fs.File, error) {
	if step, ok := s.steps[name]; ok {
		return s.outbox.Open(step)
	}
	return s.own.Open(name)
}

func (s sequenceFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.own, name)
	if err != nil || name != "." {
		return entries, err
	}
	for seqName, step := range s.steps {
		info, err := fs.Stat(s.outbox, step)
		if err != nil {
			return nil, err
		}
		entries = append(entries, renamed{DirEntry: fs.FileInfoToDirEntry(info), name: seqName})
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

type renamed struct {
	fs.DirEntry
	name string
}

func (r renamed) Name() string { return r.name }
