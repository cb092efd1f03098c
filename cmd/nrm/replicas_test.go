package main

import (
	"database/sql"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// singletonLeases are the jobs that must run on one replica at a time.
var singletonLeases = []string{
	"audit/checkpointer", "referral/sweeper", "intake/break-glass-expiry", "intake/overdue-report",
	"stats/release-scheduler", "referral/notice-expiry", "intake/purge",
}

// leaseHolders returns, per singleton lease, how many sessions hold it.
func leaseHolders(t *testing.T, admin *sql.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, name := range singletonLeases {
		key := db.AdvisoryLockKey("lease/" + name)
		var n int
		// A bigint advisory key shows in pg_locks as its high and low halves.
		err := admin.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND classid::bigint = ($1::bigint >> 32) & 4294967295 AND objid::bigint = $1::bigint & 4294967295 AND objsubid = 1`, key).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

// Two replicas of the whole system on one PostgreSQL database: every
// singleton job (checkpointer, sweeper, expiries, reports, the release
// scheduler, purge) is held by exactly one of them, and all move to the
// other when the holder stops.
func TestSingletonJobsRunOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := dbtest.Postgres(t)
	_, args := engineArgs(t, e)
	a := startServer(t, args...)
	waitReady(t, a.base)
	b := startServer(t, args...)
	waitReady(t, b.base)
	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	allHeldOnce := func() (map[string]int, bool) {
		h := leaseHolders(t, admin)
		for _, n := range h {
			if n != 1 {
				return h, false
			}
		}
		return h, true
	}
	wait := func(what string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			h, ok := allHeldOnce()
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: holders per lease %v, want exactly one each", what, h)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait("two replicas")
	// Several looks while both run: never two holders.
	for range 10 {
		if h, ok := allHeldOnce(); !ok {
			t.Fatalf("holders per lease %v, want exactly one each", h)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := a.stop(); code != 0 {
		t.Fatalf("replica a exited with %d: %s", code, a.stderr.String())
	}
	wait("after replica a stopped") // b took over whatever a held
}
