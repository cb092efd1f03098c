package outbox

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Concurrent callers each return only once their message is committed,
// every message lands exactly once, and a failed
// batch fails every caller in it.
func TestBatcherGroupCommit(t *testing.T) {
	t.Parallel()
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
		var count, ids int
		if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT id) FROM outbox`).Scan(&count, &ids); err != nil {
			t.Fatal(err)
		}
		if count != callers || ids != callers {
			t.Fatalf("%d rows with %d ids; want %d", count, ids, callers)
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
