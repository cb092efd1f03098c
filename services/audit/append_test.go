package audit

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/outbox"
)

func TestAppendDuplicateStoredOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		msgs := f.next(t, "intake", 3)
		for range 2 {
			if err := f.log.Append(f.ctx, msgs); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.log.Append(f.ctx, []outbox.Message{msgs[1], msgs[1]}); err != nil {
			t.Fatal(err)
		}
		if n := f.size(t); n != 3 {
			t.Errorf("log size = %d after delivering 3 events twice, want 3", n)
		}
	})
}

// An event id already in the log, arriving again under a new number
// (an outbox row copied by someone with database access), is stored once;
// the rest of its batch is stored and the log goes on.
func TestAppendKnownIDUnderNewNumber(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		first := f.next(t, "intake", 2)
		if err := f.log.Append(f.ctx, first); err != nil {
			t.Fatal(err)
		}
		msgs := f.next(t, "intake", 3) // seq 3, 4, 5
		msgs[1].ID = first[0].ID
		msgs[1].Payload = first[0].Payload
		if err := f.log.Append(f.ctx, msgs); err != nil && !errors.Is(err, ErrInvalidEvent) {
			t.Fatal(err)
		}
		// Two, then two of three and the gap the known id left at 4.
		if n := f.size(t); n != 5 {
			t.Errorf("log size = %d, want 5", n)
		}
		var gapFirst, gapLast int64
		if err := f.db.QueryRow(`SELECT first_seq, last_seq FROM gaps WHERE source = 'intake'`).Scan(&gapFirst, &gapLast); err != nil || gapFirst != 4 || gapLast != 4 {
			t.Errorf("gap = %d-%d (%v), want intake 4-4", gapFirst, gapLast, err)
		}
		f.append(t, "intake", 1)
		if n := f.size(t); n != 6 {
			t.Errorf("log size = %d after one more event, want 6", n)
		}
	})
}

func TestAppendFlagsSequenceGap(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 2)
		msgs := f.next(t, "intake", 3) // seq 3, 4, 5: deliver 5 without 3 and 4
		if err := f.log.Append(f.ctx, msgs[2:]); err != nil {
			t.Fatal(err)
		}
		var src string
		var first, last int64
		if err := f.db.QueryRow(`SELECT source, first_seq, last_seq FROM gaps`).Scan(&src, &first, &last); err != nil {
			t.Fatalf("gap not recorded: %v", err)
		}
		if src != "intake" || first != 3 || last != 4 {
			t.Errorf("gap = %s %d-%d, want intake 3-4", src, first, last)
		}
		after := int64(-1)
		es, err := queryEntries(f.ctx, f.db, Query{Action: ActionGapDetected, After: &after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].ObjectID != "intake:3-4" || es[0].Source != ownSource {
			t.Errorf("gap events = %+v, want one for intake:3-4 from the audit source", es)
		}
		// The late delivery fills the gap without a new alert.
		if err := f.log.Append(f.ctx, msgs[:2]); err != nil {
			t.Fatal(err)
		}
		if n := f.size(t); n != 6 {
			t.Errorf("log size = %d, want 6 (5 events and 1 gap alert)", n)
		}
		if _, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys}); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
}

func TestAppendRejectsBadEvents(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(m *outbox.Message, a map[string]any)
	}{
		{"personal data in object id", func(m *outbox.Message, a map[string]any) { a["object_id"] = "Jane Doe" }},
		{"free text action", func(m *outbox.Message, a map[string]any) { a["action"] = "looked at the file" }},
		{"unknown outcome", func(m *outbox.Message, a map[string]any) { a["outcome"] = "maybe" }},
		{"oversized field", func(m *outbox.Message, a map[string]any) { a["actor_user"] = string(make([]byte, 200)) }},
		{"wrong topic", func(m *outbox.Message, a map[string]any) { m.Topic = "stats" }},
		{"impersonates the audit source", func(m *outbox.Message, a map[string]any) { m.Source = ownSource }},
		{"message id differs from event id", func(m *outbox.Message, a map[string]any) { m.ID = event.NewID() }},
		{"no sequence number", func(m *outbox.Message, a map[string]any) { m.Seq = 0 }},
	}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				count := func() int64 {
					var n int64
					if err := f.db.QueryRow(`SELECT COUNT(*) FROM events WHERE source = 'referral'`).Scan(&n); err != nil {
						t.Fatal(err)
					}
					return n
				}
				before := count()
				good := f.next(t, "referral", 1)[0]
				bad := f.next(t, "referral", 1)[0]
				var a map[string]any
				if err := json.Unmarshal(bad.Payload, &a); err != nil {
					t.Fatal(err)
				}
				tc.change(&bad, a)
				bad.Payload, _ = json.Marshal(a)
				err := f.log.Append(f.ctx, []outbox.Message{good, bad})
				if !errors.Is(err, ErrInvalidEvent) {
					t.Errorf("Append = %v, want ErrInvalidEvent", err)
				}
				if got := count() - before; got != 1 {
					t.Errorf("%d entries added, want 1 (the good event only)", got)
				}
			})
		}
	})
}

func TestConcurrentWritersGapless(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		const writers, batches, per = 16, 8, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*batches)
		for w := range writers {
			src := fmt.Sprintf("svc%d", w)
			msgs := f.next(t, src, batches*per)
			wg.Go(func() {
				for b := range batches {
					if err := f.log.Append(f.ctx, msgs[b*per:(b+1)*per]); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent append: %v", err)
		}
		var n, maxIdx, delivered int64
		if err := f.db.QueryRow(`SELECT COUNT(*), MAX(idx), SUM(CASE WHEN source <> 'audit' THEN 1 ELSE 0 END) FROM events`).Scan(&n, &maxIdx, &delivered); err != nil {
			t.Fatal(err)
		}
		if delivered != writers*batches*per || maxIdx != n-1 {
			t.Errorf("%d delivered of %d, %d entries, max index %d: want every event, indexed 0..n-1", delivered, writers*batches*per, n, maxIdx)
		}
		if _, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys}); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
}

// A second Log over the same database (another replica) appends through
// the advisory lock without breaking the log.
func TestTwoReplicasAppend(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		other, err := New(f.cfg)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i, l := range []*Log{f.log, other, f.log, other} {
			msgs := f.next(t, fmt.Sprintf("r%d", i), 30)
			wg.Go(func() {
				for j := 0; j < 30; j += 3 {
					if err := l.Append(f.ctx, msgs[j:j+3]); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if rep, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys}); err != nil || rep.Size != 120 {
			t.Errorf("Verify = %+v, %v; want 120 intact entries", rep, err)
		}
		// Each replica's appends extend the other's: no entry was lost.
		for _, l := range []*Log{f.log, other} {
			if n := testutil.ToFloat64(l.metrics.divergences); n != 0 {
				t.Errorf("%v losses counted, want 0", n)
			}
		}
	})
}

func TestServiceRoleCannotChangeTheLog(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.append(t, "intake", 3)
		f.checkpoint(t)
		stmts := []string{
			`UPDATE events SET object_id = 'x' WHERE idx = 0`,
			`DELETE FROM events WHERE idx = 0`,
			`UPDATE hashes SET idx = idx + 100 WHERE idx = 0`,
			`DELETE FROM hashes`,
			`DELETE FROM checkpoints`,
			`UPDATE checkpoints SET size = 1`,
		}
		if e.Name == db.Postgres {
			stmts = append(stmts, `TRUNCATE events`, `TRUNCATE hashes`, `TRUNCATE checkpoints`, `TRUNCATE gaps`)
		}
		for _, s := range stmts {
			t.Run(s, func(t *testing.T) {
				if _, err := f.db.Exec(s); err == nil {
					t.Errorf("service role could run %s", s)
				}
			})
		}
		if e.Name == db.Postgres {
			// Even a superuser meets the triggers unless they are disabled first.
			a, err := sql.Open("postgres", e.AdminURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			for _, s := range []string{`DELETE FROM audit.events`, `UPDATE audit.hashes SET idx = idx`, `TRUNCATE audit.checkpoints`} {
				if _, err := a.Exec(s); err == nil {
					t.Errorf("trigger did not refuse %s", s)
				}
			}
		}
		if _, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys}); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
}
