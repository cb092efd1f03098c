package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Concurrent callers each return only once their message is committed,
// every message lands exactly once with gap-free numbers, and a failed
// batch fails every caller in it.
func TestBatcherGroupCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := openOutbox(t, e)
		b := NewBatcher(d, New("svc"))
		const callers = 64
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := b.Append(Pending{Topic: "audit", Payload: map[string]int{"n": i}}); err != nil {
					errs <- err
					return
				}
				// Durable before Append returned: visible to a new reader.
				var n int
				if err := d.QueryRowContext(context.Background(),
					`SELECT COUNT(*) FROM outbox WHERE payload = $1`, fmt.Sprintf(`{"n":%d}`, i)).Scan(&n); err != nil || n != 1 {
					errs <- fmt.Errorf("message %d: count %d, err %v", i, n, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var count, maxSeq int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM outbox`).Scan(&count, &maxSeq); err != nil {
			t.Fatal(err)
		}
		if count != callers || maxSeq != callers {
			t.Fatalf("%d rows, max seq %d; want %d gap-free", count, maxSeq, callers)
		}

		// A batch that cannot commit fails its callers, and the next one works.
		if _, err := d.ExecContext(context.Background(), `ALTER TABLE outbox RENAME TO outbox_gone`); err != nil {
			t.Fatal(err)
		}
		if err := b.Append(Pending{Topic: "audit", Payload: 1}); err == nil {
			t.Fatal("append without an outbox table succeeded")
		}
		if _, err := d.ExecContext(context.Background(), `ALTER TABLE outbox_gone RENAME TO outbox`); err != nil {
			t.Fatal(err)
		}
		if err := b.Append(Pending{Topic: "audit", Payload: 2}); err != nil {
			t.Fatalf("append after recovery: %v", err)
		}
	})
}

// With the engine set, PostgreSQL numbers and inserts in one statement:
// the numbers stay gap-free and in order under concurrent writers.
func TestAppendOneStatementGapFree(t *testing.T) {
	e := dbtest.Postgres(t)
	d := openOutbox(t, e)
	o := &Outbox{Service: "svc", Now: New("svc").Now, Engine: d.Engine}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				err := d.Tx(context.Background(), func(tx *sql.Tx) error {
					return o.AppendAll(context.Background(), tx,
						Pending{Topic: "audit", Payload: map[string]int{"w": w, "i": i}},
						Pending{Topic: "stats", Payload: map[string]int{"w": w, "i": i}})
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var count, minSeq, maxSeq int
	if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*), MIN(seq), MAX(seq) FROM outbox`).Scan(&count, &minSeq, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if count != 320 || minSeq != 1 || maxSeq != 320 {
		t.Fatalf("%d rows, seq %d..%d; want 320 rows numbered 1..320", count, minSeq, maxSeq)
	}
}
