package idempotency_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

func TestParseKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324", true},
		{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`, "8e03978e-40d5-43e8-bc93-6894a57f9324", true},
		{"a key with spaces", "a key with spaces", true},
		{strings.Repeat("k", idempotency.MaxKeyLength), strings.Repeat("k", idempotency.MaxKeyLength), true},
		{"", "", false},
		{`""`, "", false},
		{strings.Repeat("k", idempotency.MaxKeyLength+1), "", false},
		{"tab\there", "", false},
		{"naïve", "", false},
		{`"half`, "", false},
		{`back\slash`, "", false},
	}
	for _, tc := range tests {
		got, err := idempotency.ParseKey(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseKey(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && kit.AsError(err).Status != http.StatusBadRequest {
			t.Errorf("ParseKey(%q): %v is not a 400", tc.in, err)
		}
	}
}

// keyedWrite is a write that inserts a row of its own and records its
// outcome in the same transaction.
func keyedWrite(d *db.DB, s *idempotency.Store, id string, writes *atomic.Int32, hold chan struct{}) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		writes.Add(1)
		if hold != nil {
			<-hold
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error { return s.Record(ctx, tx, http.StatusCreated, id) })
		return id, err
	}
}

func replayID(_ context.Context, o idempotency.Outcome) (string, error) {
	return "replayed:" + o.ID(), nil
}

func as(user string) context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{UserID: user, OrgID: "org"})
}

func TestDo(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := dbtest.Open(t, e, "intake")
		now := time.Now()
		clock := func() time.Time { return now }
		s := idempotency.New(d, []byte("0123456789abcdef0123456789abcdef"), idempotency.Config{TTL: time.Hour, Now: clock})
		var writes atomic.Int32
		ctx := idempotency.WithKey(as("u1"), "k1")

		got, err := idempotency.Do(ctx, s, "op", map[string]int{"a": 1}, keyedWrite(d, s, "id-1", &writes, nil), replayID)
		if err != nil || got != "id-1" {
			t.Fatalf("first: %q %v", got, err)
		}
		got, err = idempotency.Do(ctx, s, "op", map[string]int{"a": 1}, keyedWrite(d, s, "id-2", &writes, nil), replayID)
		if err != nil || got != "replayed:id-1" || writes.Load() != 1 {
			t.Fatalf("retry: %q %v after %d writes", got, err, writes.Load())
		}
		// Another operation with the same key and body is another request.
		if got, _ := idempotency.Do(ctx, s, "op2", map[string]int{"a": 1}, keyedWrite(d, s, "id-3", &writes, nil), replayID); got != "id-3" {
			t.Fatalf("other operation: %q", got)
		}
		if _, err := idempotency.Do(ctx, s, "op", map[string]int{"a": 2}, keyedWrite(d, s, "id-4", &writes, nil), replayID); kit.AsError(err).Code != idempotency.CodeKeyReused {
			t.Fatalf("other body: %v", err)
		}

		// While the first request with a key is being carried out, a second
		// is refused with 409 and Retry-After.
		hold := make(chan struct{})
		done := make(chan error, 1)
		busy := idempotency.WithKey(as("u1"), "k-busy")
		var started atomic.Int32
		go func() {
			_, err := idempotency.Do(busy, s, "op", 1, keyedWrite(d, s, "id-5", &started, hold), replayID)
			done <- err
		}()
		for started.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		_, err = idempotency.Do(busy, s, "op", 1, keyedWrite(d, s, "id-6", &writes, nil), replayID)
		if ke := kit.AsError(err); ke.Status != http.StatusConflict || ke.Code != idempotency.CodeKeyInUse || ke.RetryAfter <= 0 {
			t.Fatalf("concurrent retry: %v", err)
		}
		close(hold)
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		// Nothing the client chose is stored in clear.
		var keyMAC string
		if err := d.QueryRow(`SELECT key_mac FROM idempotency_keys WHERE ids = 'id-1'`).Scan(&keyMAC); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(keyMAC, "k1") || len(keyMAC) != 64 {
			t.Fatalf("stored key %q", keyMAC)
		}

		// Past the TTL the key is new again, and a sweep deletes the rest.
		now = now.Add(time.Hour + time.Second)
		if got, _ := idempotency.Do(ctx, s, "op", map[string]int{"a": 1}, keyedWrite(d, s, "id-7", &writes, nil), replayID); got != "id-7" {
			t.Fatalf("after expiry: %q", got)
		}
		if n, err := s.Sweep(context.Background()); err != nil || n != 0 {
			// the Do above swept already (its first sweep is due at once)
			t.Fatalf("sweep: %d %v", n, err)
		}
		var left int
		if err := d.QueryRow(`SELECT COUNT(*) FROM idempotency_keys`).Scan(&left); err != nil || left != 1 {
			t.Fatalf("%d records left (%v), want 1", left, err)
		}
	})
}

func TestWithoutKeyOrPrincipal(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, dbtest.SQLite(t), "intake")
	s := idempotency.New(d, []byte("k"), idempotency.Config{})
	var writes atomic.Int32
	for _, ctx := range []context.Context{as("u1"), idempotency.WithKey(context.Background(), "k")} {
		for range 2 {
			if _, err := idempotency.Do(ctx, s, "op", 1, keyedWrite(d, s, "x", &writes, nil), replayID); err != nil {
				t.Fatal(err)
			}
		}
	}
	var n int
	if err := d.QueryRow(`SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d records without a key or caller", n)
	}
	if writes.Load() != 4 {
		t.Fatalf("%d writes, want 4", writes.Load())
	}
}

func TestKeyTravels(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Add(idempotency.Header, "a")
	r.Header.Add(idempotency.Header, "b")
	if _, ok, err := idempotency.KeyFrom(idempotency.KeyToContext(context.Background(), r)); !ok || err == nil {
		t.Fatal("two Idempotency-Key headers accepted")
	}
	ctx := idempotency.WithKey(context.Background(), "k-1")
	post := httptest.NewRequest(http.MethodPost, "/", nil)
	idempotency.KeyToHTTP(ctx, post)
	if got := post.Header.Get(idempotency.Header); got != `"k-1"` {
		t.Fatalf("forwarded %q", got)
	}
	get := httptest.NewRequest(http.MethodGet, "/", nil)
	idempotency.KeyToHTTP(ctx, get)
	if got := get.Header.Get(idempotency.Header); got != "" {
		t.Fatalf("a GET carried %q", got)
	}
	back := idempotency.KeyToContext(context.Background(), post)
	if k, ok, err := idempotency.KeyFrom(back); !ok || err != nil || k != "k-1" {
		t.Fatalf("round trip: %q %v %v", k, ok, err)
	}
}

// Two processes (two stores over one database) get the same keyed request
// at once: the second's insert waits on the first's transaction, fails on
// the key's unique index once the first commits, and answers the first
// outcome. The write is carried out once.
func TestSameKeyInTwoProcesses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := dbtest.Open(t, e, "intake")
		mac := []byte("0123456789abcdef0123456789abcdef")
		first, second := idempotency.New(d, mac, idempotency.Config{}), idempotency.New(d, mac, idempotency.Config{})
		ctx := idempotency.WithKey(as("u1"), "twice")
		recorded, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			_, err := idempotency.Do(ctx, first, "op", 1, func(ctx context.Context) (string, error) {
				return "id-1", d.Tx(ctx, func(tx *sql.Tx) error {
					if err := first.Record(ctx, tx, http.StatusCreated, "id-1"); err != nil {
						return err
					}
					close(recorded)
					<-release
					return nil
				})
			}, replayID)
			done <- err
		}()
		<-recorded
		go func() { time.Sleep(200 * time.Millisecond); close(release) }()
		var writes atomic.Int32
		got, err := idempotency.Do(ctx, second, "op", 1, keyedWrite(d, second, "id-2", &writes, nil), replayID)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err != nil || got != "replayed:id-1" {
			t.Fatalf("second process: %q %v, want the first outcome", got, err)
		}
		var n int
		if err := d.QueryRow(`SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d records (%v)", n, err)
		}
	})
}
