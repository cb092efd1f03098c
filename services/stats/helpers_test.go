package stats

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/outbox"
)

type fixture struct {
	s     *Stats
	db    *db.DB
	ctx   context.Context
	clock time.Time
	seq   int64
	seed  string
}

// seededKey derives record keys from the record's id, so two stores fed
// the same events in any order hold the same keys.
func seededKey(seed string) func(string) uint32 {
	return func(id string) uint32 {
		h := sha256.Sum256([]byte(seed + "/" + id))
		return binary.BigEndian.Uint32(h[:4])
	}
}

func newFixture(t testing.TB, e dbtest.Engine, tweak func(*Config)) *fixture {
	t.Helper()
	d := dbtest.Open(t, e, "stats")
	f := &fixture{db: d, clock: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), seed: "seed"}
	f.ctx = auth.WithPrincipal(context.Background(),
		auth.Principal{UserID: "analyst-1", OrgID: "org-commission", Roles: []string{auth.RoleCommissionAnalyst}})
	cfg := Config{DB: d, Now: func() time.Time { return f.clock }, RecordKey: seededKey(f.seed)}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	return f
}

// unprotected switches the disclosure control off (no noise, no
// suppression, no release control): the attack tests show that their
// attacks then succeed.
func unprotected(c *Config) {
	d, err := LoadDisclosure("")
	if err != nil {
		panic(err)
	}
	for i := range d.PTable {
		d.PTable[i].Noise = []Noise{{P: 1, V: 0}}
	}
	d.Threshold, d.MedianMinCount, d.ReleaseMinChanges = 0, 0, 0
	c.Disclosure, c.unchecked = &d, true
}

// noReleaseControl keeps perturbation and suppression and lets any change
// be released.
func noReleaseControl(c *Config) {
	d, err := LoadDisclosure("")
	if err != nil {
		panic(err)
	}
	d.ReleaseMinChanges = 0
	c.Disclosure, c.unchecked = &d, true
}

// noNoiseButSuppressed keeps suppression and removes the perturbation.
func noNoiseButSuppressed(c *Config) {
	unprotected(c)
	c.Disclosure.Threshold, c.Disclosure.MedianMinCount = 5, 10
}

func messages(t testing.TB, f *fixture, es ...facts.Event) []outbox.Message {
	t.Helper()
	out := make([]outbox.Message, len(es))
	for i, e := range es {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		f.seq++
		out[i] = outbox.Message{ID: e.ID, Source: "intake", Seq: f.seq, Topic: facts.Topic, CreatedAt: f.clock, Payload: b}
	}
	return out
}

func (f *fixture) send(t testing.TB, es ...facts.Event) {
	t.Helper()
	if err := f.s.Receive(f.ctx, messages(t, f, es...)); err != nil {
		t.Fatalf("receive: %v", err)
	}
}

// sendN delivers the n events ev makes as one batch: a store's content
// does not depend on the batching (TestReceiveIsOrderAndDuplicateIndependent),
// and one transaction instead of n keeps the tests fast.
func (f *fixture) sendN(t testing.TB, n int, ev func(i int) facts.Event) {
	t.Helper()
	es := make([]facts.Event, n)
	for i := range es {
		es[i] = ev(i)
	}
	f.send(t, es...)
}

// release asks for a snapshot release of period.
func (f *fixture) release(name, period string) (Release, error) {
	return f.s.CreateRelease(f.ctx, ReleaseSpec{Name: name, Period: period})
}

// table reads a table as published; a period never released is released
// first (open periods are not released by a read).
func (f *fixture) table(t testing.TB, name, period string) Table {
	t.Helper()
	tb, err := f.s.Table(f.ctx, name, period)
	if errors.Is(err, ErrNoRelease) {
		if _, err := f.release("first-"+period, period); err != nil {
			t.Fatalf("first release of %s: %v", period, err)
		}
		tb, err = f.s.Table(f.ctx, name, period)
	}
	if err != nil {
		t.Fatalf("table %s %s: %v", name, period, err)
	}
	return tb
}

// trueCount reads a cell's unperturbed count from the aggregates.
func (f *fixture) trueCount(t testing.TB, table, period string, cell ...string) int64 {
	t.Helper()
	var n int64
	err := f.db.QueryRowContext(context.Background(), `SELECT n FROM cells WHERE tbl = $1 AND period = $2 AND cell = $3`,
		table, period, strings.Join(cell, cellSep)).Scan(&n)
	if err != nil {
		return 0
	}
	return n
}

// dump returns every aggregate row, sorted, dropping empty ones.
func (f *fixture) dump(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT tbl || ' ' || period || ' ' || cell || ' n=' || n || ' k=' || keysum FROM cells WHERE n <> 0`,
		`SELECT tbl || ' ' || period || ' ' || cell || ' v=' || value || ' n=' || n FROM cell_values WHERE n <> 0`,
	} {
		rows, err := f.db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	slices.Sort(out)
	return out
}

// reset empties the store (a fresh store for the next trial).
func (f *fixture) reset(t testing.TB) {
	t.Helper()
	for _, tb := range []string{"received", "cases", "links", "events", "cells", "cell_values", "release_tables",
		"release_withheld", "releases", "change_sets", "privacy_ledger"} {
		if _, err := f.db.ExecContext(context.Background(), `DELETE FROM `+tb); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.ExecContext(context.Background(), `UPDATE data_version SET last = 0`); err != nil {
		t.Fatal(err)
	}
}

// Event builders.

// idn numbers events across the package's tests, which run in parallel.
var idn atomic.Int64

func nextID(prefix string) string {
	return fmt.Sprintf("%s-%08d", prefix, idn.Add(1))
}

func registered(key, month, region, gender, age, loc, org string, types ...string) facts.Event {
	return facts.Event{ID: nextID("reg"), Type: facts.Registered, CaseKey: key, Month: month, IdentifiedMonth: month,
		Region: region, Gender: gender, AgeGroup: age, ExploitationLocation: loc, OrgKind: org,
		ExploitationTypes: types, Route: "nrm"}
}

func decided(key, month, outcome string, days int, within bool) facts.Event {
	return facts.Event{ID: nextID("dec"), Type: facts.Decided, CaseKey: key, Month: month, Outcome: outcome,
		DaysTaken: &days, WithinTarget: &within}
}

func linked(key, other, month string) facts.Event {
	return facts.Event{ID: nextID("lnk"), Type: facts.Linked, CaseKey: key, LinkedKey: other, Month: month}
}

func referral(typ, key, ref, month, service string, seconds int64) facts.Event {
	e := facts.Event{ID: nextID("ref"), Type: typ, CaseKey: key, ReferralKey: ref, Month: month, Service: service}
	if seconds > 0 {
		e.ResponseSeconds = &seconds
	}
	return e
}

func value(c Cell) string {
	if c.Suppressed {
		return "suppressed"
	}
	if c.Value == nil {
		return "none"
	}
	return fmt.Sprint(*c.Value)
}
