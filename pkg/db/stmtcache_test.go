package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// openCached opens the test database through the statement cache with one
// connection, so every call below runs on the same server session.
func openCached(t *testing.T, size int) *sql.DB {
	t.Helper()
	e := dbtest.Postgres(t)
	c, err := pq.NewConnector(e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	d := sql.OpenDB(db.CachingConnector(c, size))
	d.SetMaxOpenConns(1)
	t.Cleanup(func() { d.Close() })
	return d
}

// prepared returns the statements the session holds prepared.
func prepared(t *testing.T, d *sql.DB) []string {
	t.Helper()
	rows, err := d.Query(`SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestStmtCachePreparesOncePerConnection(t *testing.T) {
	t.Parallel()
	d := openCached(t, 8)
	ctx := context.Background()
	if _, err := d.Exec(`CREATE TABLE t (id INT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := d.ExecContext(ctx, `INSERT INTO t (id, v) VALUES ($1, $2)`, i, "x"); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := d.QueryRowContext(ctx, `SELECT v FROM t WHERE id = $1`, i).Scan(&v); err != nil || v != "x" {
			t.Fatalf("read back %d: %q, %v", i, v, err)
		}
	}
	// Inside a transaction that rolls back, and after it.
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO t (id, v) VALUES ($1, $2)`, 100, "y"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE t SET v = $1 WHERE id = $2`, "z", 100); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`UPDATE t SET v = $1 WHERE id = $2`, "z", 1); err != nil {
		t.Fatalf("statement prepared in a rolled-back transaction: %v", err)
	}
	var n int
	if err := d.QueryRow(`SELECT COUNT(*) FROM t WHERE v = $1`, "z").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d, %v; want 1", n, err)
	}
	// One per query text run more than once; the COUNT ran once, unprepared.
	if got := prepared(t, d); len(got) != 3 {
		t.Fatalf("session holds %d prepared statements, want 3: %q", len(got), got)
	}
}

func TestStmtCacheEvictsBeyondItsSize(t *testing.T) {
	t.Parallel()
	d := openCached(t, 2)
	queries := []string{`SELECT $1::int + 1`, `SELECT $1::int + 2`, `SELECT $1::int + 3`, `SELECT $1::int + 4`}
	for round := range 4 {
		for i, q := range queries {
			var v int
			if err := d.QueryRow(q, 10).Scan(&v); err != nil || v != 11+i {
				t.Fatalf("round %d %s = %d, %v", round, q, v, err)
			}
		}
	}
	// Evicted statements are closed when the pool next resets the
	// connection, before this query runs.
	if got := prepared(t, d); len(got) > 2 {
		t.Fatalf("session holds %d prepared statements, want at most 2: %q", len(got), got)
	}
}

func TestStmtCacheRecoversFromSchemaChange(t *testing.T) {
	t.Parallel()
	d := openCached(t, 8)
	if _, err := d.Exec(`CREATE TABLE t (id INT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`INSERT INTO t (id, v) VALUES ($1, $2)`, 1, "a"); err != nil {
		t.Fatal(err)
	}
	q := `SELECT * FROM t WHERE id = $1`
	var (
		id int
		v  string
	)
	for range 2 { // prepared on the second run
		if err := d.QueryRow(q, 1).Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Exec(`ALTER TABLE t ADD COLUMN w TEXT NOT NULL DEFAULT 'b'`); err != nil {
		t.Fatal(err)
	}
	// The server refuses the old statement once; the next call prepares again.
	err := d.QueryRow(q, 1).Scan(&id, &v)
	var pe *pq.Error
	if err != nil && !(errors.As(err, &pe) && pe.Code == "0A000") {
		t.Fatalf("first call after the change: %v", err)
	}
	var w string
	if err := d.QueryRow(q, 1).Scan(&id, &v, &w); err != nil || w != "b" {
		t.Fatalf("after the change: %q, %v", w, err)
	}
}

// Behind a pooler that shares server sessions, prepared statements can be
// turned off in the URL; migrations accept the same URL.
func TestPreparedStatementsCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	ctx := context.Background()
	for _, tc := range []struct {
		param string
		want  bool
	}{{"", true}, {"&nrm_prepared_statements=off", false}} {
		cfg := e.Config
		cfg.URL += tc.param
		if err := db.Migrate(ctx, cfg, "identity"); err != nil {
			t.Fatalf("migrate with %q: %v", tc.param, err)
		}
		d, err := db.Open(ctx, cfg, "identity")
		if err != nil {
			t.Fatal(err)
		}
		d.SetMaxOpenConns(1)
		for range 3 {
			var n int
			if err := d.QueryRow(`SELECT COUNT(*) FROM orgs WHERE kind = $1`, "ngo").Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		got := len(prepared(t, d.DB)) > 0
		d.Close()
		if got != tc.want {
			t.Errorf("URL parameter %q: statements prepared %v, want %v", tc.param, got, tc.want)
		}
	}
}

func TestStmtCacheNeverPreparesCustomPlanStatements(t *testing.T) {
	t.Parallel()
	d := openCached(t, 8)
	for i := range 5 {
		var v int
		if err := d.QueryRow(db.CustomPlan+`SELECT $1::int + 1`, i).Scan(&v); err != nil || v != i+1 {
			t.Fatalf("%d + 1 = %d, %v", i, v, err)
		}
	}
	if got := prepared(t, d); len(got) != 0 {
		t.Fatalf("session holds %q prepared, want none", got)
	}
}

// A statement older than the replanning age is prepared again (and the old
// one closed), so its plan follows tables that grew since.
func TestStmtCachePreparesAgainWhenOld(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	c, err := pq.NewConnector(e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	d := sql.OpenDB(db.CachingConnectorReplanning(c, 8, time.Nanosecond))
	d.SetMaxOpenConns(1)
	t.Cleanup(func() { d.Close() })
	var times []time.Time
	for i := range 4 {
		var v int
		if err := d.QueryRow(`SELECT $1::int * 2`, i).Scan(&v); err != nil || v != 2*i {
			t.Fatalf("%d * 2 = %d, %v", i, v, err)
		}
		var at time.Time
		err := d.QueryRow(`SELECT prepare_time FROM pg_prepared_statements WHERE statement = 'SELECT $1::int * 2' ORDER BY prepare_time DESC LIMIT 1`).Scan(&at)
		if i == 0 {
			if !errors.Is(err, sql.ErrNoRows) {
				t.Fatalf("prepared on its first run: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("run %d: not prepared once: %v", i, err)
		}
		times = append(times, at)
	}
	if !times[0].Before(times[1]) || !times[1].Before(times[2]) {
		t.Fatalf("prepare times %v: not prepared again", times)
	}
}

// sqliteConn is one connection of a service's SQLite database, as Open
// makes it.
func sqliteConn(t *testing.T) *sql.Conn {
	t.Helper()
	d := dbtest.Open(t, dbtest.SQLite(t), "identity")
	conn, err := d.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// On SQLite, preparing costs no round trip: a statement with parameters
// is prepared on its first run and reused from then on.
func TestSQLiteStmtCachePreparesOnFirstRun(t *testing.T) {
	t.Parallel()
	conn := sqliteConn(t)
	ctx := context.Background()
	before := db.CachedStatements(conn)
	if before < 0 {
		t.Fatal("the SQLite connection has no statement cache")
	}
	for i := range 5 {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE kind = $1 OR $2 = 0`, "ngo", i).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.ExecContext(ctx, `SELECT 1`); err != nil { // no parameters: never prepared
		t.Fatal(err)
	}
	if got := db.CachedStatements(conn) - before; got != 1 {
		t.Fatalf("%d statements prepared, want 1", got)
	}
}

// SQLite lets one connection read a query's rows while it runs the same
// query again (a walk over a tree, say); the cached statement is in use,
// so the inner run must not reset it under the outer rows.
func TestSQLiteStmtCacheSameQueryInsideItsOwnRows(t *testing.T) {
	t.Parallel()
	conn := sqliteConn(t)
	// Reusing the statement under its own rows loops forever: fail instead.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const q = `SELECT value FROM json_each($1) ORDER BY key`
	outer, err := conn.QueryContext(ctx, q, `[1, 2, 3]`)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for outer.Next() {
		var v int
		if err := outer.Scan(&v); err != nil {
			t.Fatal(err)
		}
		inner, err := conn.QueryContext(ctx, q, `[10, 20]`)
		if err != nil {
			t.Fatalf("inner query: %v", err)
		}
		for inner.Next() {
			var w int
			if err := inner.Scan(&w); err != nil {
				t.Fatal(err)
			}
			got = append(got, v*100+w)
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	want := []int{110, 120, 210, 220, 310, 320}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Once the outer rows are closed, the statement serves again.
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM json_each($1)`, `[1]`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d, %v", n, err)
	}
}

// A SQLite connection closes its statements before itself: one closed
// with statements open keeps its file open until they are.
func TestSQLiteStmtCacheClosesStatementsWithItsConnection(t *testing.T) {
	t.Parallel()
	e := dbtest.SQLite(t)
	dbtest.Migrate(t, e, "identity")
	d, err := db.Open(context.Background(), e.Config, "identity")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		var n int
		if err := d.QueryRow(`SELECT COUNT(*) FROM orgs WHERE kind = $1`, fmt.Sprint(i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.Config.DataDir, "identity.db")
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == path {
			t.Fatalf("%s still open after Close", path)
		}
	}
}
