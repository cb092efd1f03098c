package outbox

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// A message whose transaction commits after a later-written one was
// numbered is still numbered and delivered: at once within the straggler
// window, at the next full scan beyond it. Nothing is skipped, and the
// stream stays gap-free.
func TestRelayNumbersLateCommits(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	d := openOutbox(t, e)
	o := New(testService)
	ctx := context.Background()
	rc := newReceiver()
	r := NewRelay(d, testService, map[string]Handler{"audit": rc.Handle}, RelayOptions{})

	// late holds a position taken before the others' and commits last.
	begin := func() *sql.Tx {
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.AppendAll(ctx, tx, Pending{Topic: "audit", Payload: testPayload{N: 1}}); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	deliver := func(want int) {
		t.Helper()
		if n, err := r.DeliverOnce(ctx); err != nil || n != want {
			t.Fatalf("DeliverOnce = %d, %v; want %d", n, err, want)
		}
	}
	commit := func(tx *sql.Tx) {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}

	late := begin()
	appendTx(t, d, o, "audit", testPayload{N: 2})
	deliver(1) // a full scan: the relay's first
	commit(late)
	age := func(by time.Duration, lastFull time.Time) {
		cur := r.cursors.topics["audit"]
		r.cursors.mu.Lock()
		defer r.cursors.mu.Unlock()
		for i := range cur.marks {
			cur.marks[i].at = time.Now().Add(-by)
		}
		cur.lastFull = lastFull
	}
	age(0, time.Now()) // however slow this machine, within the window
	deliver(1)         // found at once

	// Beyond the window and before a full scan is due, a late commit
	// waits; the full scan numbers it.
	late = begin()
	appendTx(t, d, o, "audit", testPayload{N: 3})
	deliver(1)
	commit(late)
	age(2*stragglerWindow, time.Now())
	deliver(0)
	age(2*stragglerWindow, time.Now().Add(-fullScanEvery))
	deliver(1)

	got, stored := rc.snapshot()
	if len(stored) != 4 || len(got) != 4 {
		t.Fatalf("%d stored from %d deliveries, want 4 each once", len(stored), len(got))
	}
	checkOrder(t, got)
	checkGapFree(t, stored)
}
