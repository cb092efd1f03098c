package lease_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/lease"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// replica is one process's view: its own connection pool and a job that
// counts how many replicas run it at once.
type replica struct {
	name    string
	d       *db.DB
	cancel  context.CancelFunc
	done    chan struct{}
	running atomic.Bool
	ran     atomic.Int64
}

type job struct {
	mu      sync.Mutex
	now     int // replicas running the job right now
	most    int
	holders []string
}

func (j *job) start(t *testing.T, r *replica, opts lease.Options) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		_ = lease.Run(ctx, r.d, "test-job", opts, func(ctx context.Context) error {
			j.mu.Lock()
			j.now++
			j.most = max(j.most, j.now)
			j.holders = append(j.holders, r.name)
			j.mu.Unlock()
			r.running.Store(true)
			r.ran.Add(1)
			<-ctx.Done()
			r.running.Store(false)
			j.mu.Lock()
			j.now--
			j.mu.Unlock()
			return nil
		})
	}()
	t.Cleanup(func() { cancel(); <-r.done })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func twoReplicas(t *testing.T) (dbtest.Engine, *replica, *replica) {
	t.Helper()
	e := dbtest.Postgres(t)
	a := &replica{name: "a", d: dbtest.Open(t, e, "intake")}
	d2, err := db.Open(context.Background(), e.Config, "intake")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d2.Close() })
	return e, a, &replica{name: "b", d: d2}
}

var fast = lease.Options{Retry: 50 * time.Millisecond, Check: 100 * time.Millisecond}

// Two replicas on one database: the job runs on one, never both, and the
// other takes it over when the holder stops.
func TestOneHolderAndTakeoverWhenTheHolderStops(t *testing.T) {
	t.Parallel()
	_, a, b := twoReplicas(t)
	var j job
	j.start(t, a, fast)
	waitFor(t, "a holds the lease", a.running.Load)
	j.start(t, b, fast)
	// b asks many times (every 50 ms) while a holds the lease.
	time.Sleep(500 * time.Millisecond)
	if b.ran.Load() != 0 {
		t.Fatal("b ran the job while a held the lease")
	}
	a.cancel()
	<-a.done
	waitFor(t, "b takes over once a stopped", b.running.Load)
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.most != 1 {
		t.Fatalf("%d replicas ran the job at once", j.most)
	}
	if len(j.holders) != 2 || j.holders[0] != "a" || j.holders[1] != "b" {
		t.Fatalf("holders in turn = %v, want [a b]", j.holders)
	}
}

// A holder whose database session ends (a crash, a network cut, an
// administrator terminating it) stops its job, and another replica takes
// over; the job starts again on the first only once the lease is free.
func TestTakeoverWhenTheHoldersSessionEnds(t *testing.T) {
	t.Parallel()
	e, a, b := twoReplicas(t)
	var j job
	j.start(t, a, fast)
	waitFor(t, "a holds the lease", a.running.Load)
	j.start(t, b, fast)
	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("%d sessions held the lease, want 1", killed)
	}
	waitFor(t, "a gives the job up after losing its session", func() bool { return !a.running.Load() })
	waitFor(t, "one replica holds the lease again", func() bool { return a.running.Load() || b.running.Load() })
	time.Sleep(300 * time.Millisecond)
	if a.running.Load() && b.running.Load() {
		t.Fatal("both replicas run the job")
	}
}

// On SQLite (one process) the job just runs.
func TestSQLiteRunsTheJob(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, dbtest.SQLite(t), "intake")
	ran := false
	if err := lease.Run(context.Background(), d, "x", lease.Options{}, func(context.Context) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("ran=%v err=%v", ran, err)
	}
}

// A group holds all its leases on one session: a process's jobs cost one
// connection, and they move together when that session ends.
func TestGroupHoldsItsLeasesOnOneSession(t *testing.T) {
	t.Parallel()
	e, a, b := twoReplicas(t)
	var jobsRunning [2]atomic.Int32
	start := func(i int, r *replica) context.CancelFunc {
		g := lease.NewGroup(r.d, fast)
		for _, name := range []string{"one", "two", "three"} {
			g.Add(name, func(ctx context.Context) error {
				jobsRunning[i].Add(1)
				<-ctx.Done()
				jobsRunning[i].Add(-1)
				return nil
			})
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = g.Run(ctx) }()
		stop := func() { cancel(); <-done }
		t.Cleanup(stop)
		return stop
	}
	stopA := start(0, a)
	waitFor(t, "a runs the three jobs", func() bool { return jobsRunning[0].Load() == 3 })
	start(1, b)
	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var sessions, locks int
	if err := admin.QueryRow(`SELECT count(DISTINCT pid), count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&sessions, &locks); err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || locks != 3 {
		t.Fatalf("%d sessions hold %d leases, want one session holding three", sessions, locks)
	}
	time.Sleep(300 * time.Millisecond)
	if n := jobsRunning[1].Load(); n != 0 {
		t.Fatalf("b runs %d jobs while a holds them", n)
	}
	stopA()
	waitFor(t, "b takes the three jobs over", func() bool { return jobsRunning[1].Load() == 3 })
}
