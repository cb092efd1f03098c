package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func TestRenumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query  string
		offset int
		want   string
	}{
		{`INSERT INTO t (a, b) VALUES ($1, $2)`, 0, `INSERT INTO t (a, b) VALUES ($1, $2)`},
		{`INSERT INTO t (a, b) VALUES ($1, $2), ($3, $10)`, 9, `INSERT INTO t (a, b) VALUES ($10, $11), ($12, $19)`},
		{`SELECT '$1', $1 FROM t WHERE x = '$2'`, 5, `SELECT '$1', $6 FROM t WHERE x = '$2'`},
		{`SELECT $$ FROM t`, 3, `SELECT $$ FROM t`},
	}
	for _, tt := range tests {
		if got := renumber(tt.query, tt.offset); got != tt.want {
			t.Errorf("renumber(%q, %d) = %q, want %q", tt.query, tt.offset, got, tt.want)
		}
	}
}

func TestHoldable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  bool
	}{
		{`INSERT INTO t (a) VALUES ($1), ($2)`, true},
		{`INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING`, true},
		{`INSERT INTO t (a) SELECT $1 FROM k WHERE v = $2`, false},
		{`INSERT INTO t (a) VALUES ($1) RETURNING a`, false},
		{`UPDATE t SET a = $1`, false},
		{`DELETE FROM t WHERE a = $1`, false},
	}
	for _, tt := range tests {
		if got := holdable(tt.query); got != tt.want {
			t.Errorf("holdable(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// Held-back inserts reach the database with the next statement that
// answers: a read sees them, a final statement answers its own row count,
// and a failure among them fails that statement and every later one.
func TestDeferredWrites(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	a, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE p (id INT PRIMARY KEY, v TEXT)`,
		`CREATE TABLE c (p INT NOT NULL REFERENCES p (id), n INT)`,
	} {
		if _, err := a.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &DeferredWrites{tx: tx}
	if res, err := w.ExecContext(ctx, `INSERT INTO p (id, v) VALUES ($1, $2), ($3, $4)`, 1, "a", 2, "b"); err != nil {
		t.Fatal(err)
	} else if _, err := res.RowsAffected(); !errors.Is(err, errHeld) {
		t.Fatalf("held statement answered a row count (%v)", err)
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO c (p, n) VALUES ($1, $2)`, 2, 20); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM p JOIN c ON c.p = p.id WHERE p.v = $1`, "b").Scan(&n); err != nil || n != 1 {
		t.Fatalf("read after held inserts: %d, %v; want 1", n, err)
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO c (p, n) VALUES ($1, $2)`, 1, 10); err != nil {
		t.Fatal(err)
	}
	res, err := w.Final().ExecContext(ctx, `INSERT INTO c (p, n) SELECT id, $1 FROM p WHERE v = $2`, 11, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := res.RowsAffected(); err != nil || got != 1 {
		t.Fatalf("final statement answered %d rows (%v), want its own 1", got, err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := a.QueryRow(`SELECT COUNT(*) FROM c`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows committed in c (%v), want 3", n, err)
	}

	// A held insert breaking a foreign key fails the statement it rides with.
	tx, err = a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	w = &DeferredWrites{tx: tx}
	if _, err := w.ExecContext(ctx, `INSERT INTO c (p, n) VALUES ($1, $2)`, 99, 1); err != nil {
		t.Fatalf("held insert failed early: %v", err)
	}
	_, err = w.Final().ExecContext(ctx, `INSERT INTO p (id, v) VALUES ($1, $2)`, 3, "c")
	if err == nil {
		t.Fatal("a held insert breaking a foreign key was accepted")
	}
	if err2 := w.Flush(ctx); !errors.Is(err2, err) {
		t.Fatalf("Flush after the failure = %v, want the first error", err2)
	}
	if _, err2 := w.ExecContext(ctx, `INSERT INTO p (id, v) VALUES ($1, $2)`, 4, "d"); !errors.Is(err2, err) {
		t.Fatalf("a later statement = %v, want the first error", err2)
	}
}
