package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

const testService = "outboxtest"

// schema is the DDL of pkg/outbox/doc.go; SQLite takes TIMESTAMP.
func schema(e db.Engine) []string {
	ts := "TIMESTAMPTZ"
	if e == db.SQLite {
		ts = "TIMESTAMP"
	}
	return []string{
		`CREATE TABLE outbox (
		    seq             BIGINT PRIMARY KEY,
		    id              TEXT NOT NULL UNIQUE,
		    topic           TEXT NOT NULL,
		    payload         TEXT NOT NULL,
		    created_at      ` + ts + ` NOT NULL,
		    attempts        INTEGER NOT NULL DEFAULT 0,
		    next_attempt_at ` + ts + ` NOT NULL,
		    delivered_at    ` + ts + `
		)`,
		`CREATE INDEX outbox_pending ON outbox (topic, next_attempt_at) WHERE delivered_at IS NULL`,
		`CREATE TABLE outbox_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL)`,
		`INSERT INTO outbox_seq (id, last) VALUES (1, 0)`,
	}
}

// openOutbox returns a database holding empty outbox tables, on SQLite
// through db.Open and on PostgreSQL as the superuser of the fresh database.
func openOutbox(tb testing.TB, e dbtest.Engine) *db.DB {
	tb.Helper()
	ctx := context.Background()
	var d *db.DB
	switch e.Name {
	case db.SQLite:
		var err error
		if d, err = db.Open(ctx, e.Config, testService); err != nil {
			tb.Fatalf("open: %v", err)
		}
	case db.Postgres:
		sdb, err := sql.Open("postgres", e.AdminURL)
		if err != nil {
			tb.Fatalf("open: %v", err)
		}
		sdb.SetMaxOpenConns(32)
		sdb.SetMaxIdleConns(32)
		d = &db.DB{DB: sdb, Engine: db.Postgres, Service: testService}
	}
	tb.Cleanup(func() { d.Close() })
	for _, s := range schema(e.Name) {
		if _, err := d.ExecContext(ctx, s); err != nil {
			tb.Fatalf("schema: %v", err)
		}
	}
	return d
}

type testPayload struct {
	Tx int `json:"tx"`
	N  int `json:"n"`
}

// appendTx appends payloads to topic in one committed transaction.
func appendTx(tb testing.TB, d *db.DB, o *Outbox, topic string, payloads ...any) {
	tb.Helper()
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		return o.Append(context.Background(), tx, topic, payloads...)
	})
	if err != nil {
		tb.Fatalf("append: %v", err)
	}
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// receiver records every delivery and stores each message once by id, as
// a real idempotent receiver does.
type receiver struct {
	mu         sync.Mutex
	deliveries []Message
	stored     map[string]Message
	fail       func(msgs []Message) error // optional
}

func newReceiver() *receiver { return &receiver{stored: map[string]Message{}} }

func (rc *receiver) Handle(ctx context.Context, msgs []Message) error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.fail != nil {
		if err := rc.fail(msgs); err != nil {
			return err
		}
	}
	for _, m := range msgs {
		rc.deliveries = append(rc.deliveries, m)
		if _, ok := rc.stored[m.ID]; !ok {
			rc.stored[m.ID] = m
		}
	}
	return nil
}

func (rc *receiver) snapshot() (deliveries []Message, stored map[string]Message) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	stored = make(map[string]Message, len(rc.stored))
	for k, v := range rc.stored {
		stored[k] = v
	}
	return append([]Message(nil), rc.deliveries...), stored
}

// checkOrder fails unless each topic's deliveries are in increasing seq order.
func checkOrder(t *testing.T, msgs []Message) {
	t.Helper()
	last := map[string]int64{}
	for _, m := range msgs {
		if m.Seq <= last[m.Topic] {
			t.Fatalf("topic %s: seq %d delivered after %d", m.Topic, m.Seq, last[m.Topic])
		}
		last[m.Topic] = m.Seq
	}
}

// outboxRows returns topic → seqs of the rows in the table, delivered or not.
func outboxRows(t *testing.T, d *db.DB, undeliveredOnly bool) map[string][]int64 {
	t.Helper()
	q := `SELECT topic, seq FROM outbox`
	if undeliveredOnly {
		q += ` WHERE delivered_at IS NULL`
	}
	rows, err := d.Query(q + ` ORDER BY seq`)
	if err != nil {
		t.Fatalf("rows: %v", err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var (
			topic string
			seq   int64
		)
		if err := rows.Scan(&topic, &seq); err != nil {
			t.Fatalf("rows: %v", err)
		}
		out[topic] = append(out[topic], seq)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return out
}

func decode(t *testing.T, m Message) testPayload {
	t.Helper()
	var p testPayload
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatalf("seq %d: payload: %v", m.Seq, err)
	}
	return p
}

var errReceiverDown = errors.New("receiver unavailable")

func isReceiverDown(err error) bool {
	return errors.Is(err, errReceiverDown) && !strings.Contains(err.Error(), `"n"`)
}
