package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/outbox"
)

type fixture struct {
	e      dbtest.Engine
	db     *db.DB
	keys   *keys.Dir
	cpDir  string
	log    *Log
	cfg    Config
	ctx    context.Context
	clock  time.Time
	seqOut map[string]int64
}

func newFixture(t *testing.T, e dbtest.Engine, tweak func(*Config)) *fixture {
	t.Helper()
	return newFixtureTweak(t, e, tweak)
}

func newFixtureTB(t testing.TB, e dbtest.Engine) *fixture {
	t.Helper()
	return newFixtureTweak(t, e, func(c *Config) { c.CheckpointDir = "" })
}

func newFixtureTweak(t testing.TB, e dbtest.Engine, tweak func(*Config)) *fixture {
	t.Helper()
	d := dbtest.Open(t, e, "audit")
	k, err := keys.Open(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: e, db: d, keys: k, cpDir: filepath.Join(t.TempDir(), "checkpoints"), ctx: context.Background(),
		clock: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), seqOut: map[string]int64{}}
	f.cfg = Config{DB: d, Keys: k, CheckpointDir: f.cpDir, Now: func() time.Time { return f.clock }}
	if tweak != nil {
		tweak(&f.cfg)
	}
	l, err := New(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.log = l
	return f
}

// message returns an outbox message carrying a valid audit event.
func message(t testing.TB, source string, seq int64, at time.Time) outbox.Message {
	t.Helper()
	e := event.Audit{
		ID: event.NewID(), Time: at, ActorUser: "u-1", ActorOrg: "org-1", ActorRole: "frontline_officer",
		Action: "intake.case.read", ObjectType: "case", ObjectID: "c-" + event.NewID()[:8],
		Outcome: event.Allowed, RequestID: "req-12345678", Source: source,
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return outbox.Message{ID: e.ID, Source: source, Seq: seq, Topic: event.TopicAudit, CreatedAt: at, Payload: b}
}

// next returns n messages continuing source's sequence.
func (f *fixture) next(t testing.TB, source string, n int) []outbox.Message {
	t.Helper()
	out := make([]outbox.Message, n)
	for i := range out {
		f.seqOut[source]++
		out[i] = message(t, source, f.seqOut[source], f.clock)
	}
	return out
}

func (f *fixture) append(t testing.TB, source string, n int) {
	t.Helper()
	if err := f.log.Append(f.ctx, f.next(t, source, n)); err != nil {
		t.Fatalf("append: %v", err)
	}
}

func (f *fixture) checkpoint(t testing.TB) Checkpoint {
	t.Helper()
	cp, err := f.log.Checkpointer().Checkpoint(f.ctx)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return cp
}

func (f *fixture) size(t testing.TB) int64 {
	t.Helper()
	n, err := treeSize(f.ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// admin opens the database as an insider with full rights, with the audit
// triggers removed, as someone tampering with the log would.
func (f *fixture) admin(t testing.TB) *sql.DB {
	t.Helper()
	var (
		a     *sql.DB
		err   error
		stmts []string
	)
	if f.e.Name == db.Postgres {
		a, err = sql.Open("postgres", f.e.AdminURL+"&options=-c%20search_path%3Daudit")
		stmts = []string{
			`ALTER TABLE events DISABLE TRIGGER USER`, `ALTER TABLE hashes DISABLE TRIGGER USER`,
			`ALTER TABLE checkpoints DISABLE TRIGGER USER`, `ALTER TABLE gaps DISABLE TRIGGER USER`,
			`ALTER TABLE leaf_macs DISABLE TRIGGER USER`,
		}
	} else {
		a, err = sql.Open("sqlite", "file:"+filepath.Join(f.e.Config.DataDir, "audit.db")+"?_pragma=busy_timeout(10000)&_time_format=sqlite")
		for _, tb := range []string{"events", "hashes", "checkpoints", "gaps", "leaf_macs"} {
			stmts = append(stmts, `DROP TRIGGER IF EXISTS `+tb+`_no_update`, `DROP TRIGGER IF EXISTS `+tb+`_no_delete`)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	for _, s := range stmts {
		if _, err := a.Exec(s); err != nil {
			t.Fatalf("admin: %s: %v", s, err)
		}
	}
	return a
}

// rehash replaces every stored hash with hashes recomputed from the
// events as they now are, as an insider without the signing key would.
func (f *fixture) rehash(t testing.TB, a *sql.DB) {
	t.Helper()
	if _, err := a.Exec(`DELETE FROM hashes`); err != nil {
		t.Fatal(err)
	}
	after := int64(-1)
	es, err := queryEntries(f.ctx, f.db, Query{Limit: 1 << 30, After: &after})
	if err != nil {
		t.Fatal(err)
	}
	var all []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = all[x]
		}
		return out, nil
	})
	for _, e := range es {
		hs, err := tlog.StoredHashes(e.Index, LeafData(e.Audit), r)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, hs...)
	}
	for i, h := range all {
		if _, err := a.Exec(`INSERT INTO hashes (idx, hash) VALUES ($1, $2)`, int64(i), h[:]); err != nil {
			t.Fatal(err)
		}
	}
}

func tamperIndex(t *testing.T, err error) int64 {
	t.Helper()
	te, ok := err.(*TamperError)
	if !ok {
		t.Fatalf("Verify = %v, want a *TamperError", err)
	}
	return te.Index
}
