//go:build chaos

package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nrm-project/nrm/internal/pgcluster"
	"github.com/nrm-project/nrm/services/referral/routing"
)

// TestSplitDeploymentFaults runs the split deployment on a PostgreSQL
// cluster of its own and, under a load of keyed registrations and
// referrals through the ingress, kills a replica of intake and of
// referral with SIGKILL, stops the audit service, and crashes PostgreSQL
// (stop -m immediate, recovered from the WAL on start). After each fault
// nothing acknowledged is lost, each write is audited exactly once with
// no sequence number missing, every outbox drains, and a referral whose
// deadline fell due is expired by the sweeper.
//
// The audit service is stopped for 10 s; NRM_SPLIT_FAULTS=long stops it
// for the 30 s of the issue (and PostgreSQL for 10 s instead of 3 s).
// It belongs to the fault suite (a chaos build, run by .ci/run's fault
// step), not to go test ./...:
//
//	NRM_SPLIT_FAULTS=long NRM_REQUIRE_POSTGRES=1 go test -tags chaos ./cmd/nrm -run TestSplitDeploymentFaults -v
func TestSplitDeploymentFaults(t *testing.T) {
	t.Parallel()
	auditDown, pgDown := 10*time.Second, 3*time.Second
	if os.Getenv("NRM_SPLIT_FAULTS") == "long" {
		auditDown, pgDown = 30*time.Second, 10*time.Second
	}
	cluster := faultCluster(t)
	const deadline = 10 * time.Second // of an emergency offer, in this deployment's routing
	d, creds := newSplitDeploymentOn(t, cluster.URL("nrm"), append(faultPolicies(t, deadline),
		"--rate-address", "1e6", "--rate-user", "1e6", "--rate-org", "1e6")...)
	in := newFaultIngress(t, d)
	base := in.URL
	officer, sys := login(t, base, creds["officer@police.demo"]), login(t, base, creds["sysadmin@commission.demo"])
	shelter := login(t, base, creds["caseworker@shelter.demo"])
	var me struct {
		OrgID string `json:"org_id"`
	}
	if st, b := call(t, "GET", base+"/api/v1/me", shelter, nil); st != 200 || json.Unmarshal(b, &me) != nil {
		t.Fatalf("me: %d %s", st, b)
	}
	if st, b := call(t, "PUT", base+"/api/v1/providers/"+me.OrgID, sys, map[string]any{
		"name": "Demo shelter", "region": "MA-06", "regions": []string{"MA-06"}, "genders": []string{"female"},
		"accepts_adults": true, "accepts_dependants": true, "languages": []string{"en"}, "availability": "24/7",
		"active": true, "services": []map[string]any{{"service": "shelter", "places": 100000}},
	}); st != 200 {
		t.Fatalf("provider: %d %s", st, b)
	}
	load := newFaultLoad(base, officer, me.OrgID)
	c := &faultCheck{d: d, cluster: cluster, load: load, deadline: deadline}
	for i, w := range faultWrites {
		c.before[i] = c.ids(t, c.db(t), `SELECT id, 1 FROM `+w.table)
	}

	restart := func(t *testing.T, old *proc, svc string, replica int) {
		p := d.start(svc, replica, filepath.Join(filepath.Dir(d.keys), "keys-"+svc))
		p.wait(t)
		p.waitReady(t)
		in.replace(old, p)
	}
	t.Run("replica killed", func(t *testing.T) {
		c.fault(t, "replica killed (SIGKILL intake-1, referral-1)", func() time.Time {
			i1, r1 := d.procs["intake"][1], d.procs["referral"][1]
			i1.kill(t)
			r1.kill(t)
			end := time.Now()
			time.Sleep(3 * time.Second) // the survivors carry the load alone
			restart(t, i1, "intake", 1)
			restart(t, r1, "referral", 1)
			return end
		})
	})
	t.Run("audit stopped", func(t *testing.T) {
		c.fault(t, fmt.Sprintf("audit stopped %s", auditDown), func() time.Time {
			a := d.procs["audit"][0]
			a.dead.Store(true)
			_ = a.cmd.Process.Signal(syscall.SIGTERM)
			_ = a.cmd.Wait()
			time.Sleep(auditDown)
			restart(t, a, "audit", 0)
			return time.Now()
		})
	})
	t.Run("postgres crashed", func(t *testing.T) {
		c.fault(t, fmt.Sprintf("PostgreSQL crashed, down %s", pgDown), func() time.Time {
			ctx := context.Background()
			if err := cluster.StopServer(ctx, "immediate"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(pgDown)
			if err := cluster.StartServer(ctx); err != nil {
				t.Fatal(err)
			}
			return time.Now()
		})
	})
	t.Run("deadlines", c.deadlines)
}

// faultCluster starts a private PostgreSQL cluster (never the shared
// server: this one is crashed) with an empty database nrm.
func faultCluster(t *testing.T) *pgcluster.Cluster {
	t.Helper()
	if _, err := pgcluster.Find(); err != nil {
		if os.Getenv("NRM_REQUIRE_POSTGRES") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Settings: map[string]string{"max_connections": "300"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	if _, err := c.Psql(ctx, "postgres", "CREATE DATABASE nrm"); err != nil {
		t.Fatal(err)
	}
	return c
}

// faultPolicies writes the embedded routing with a short emergency
// deadline, and returns the flag that loads it.
func faultPolicies(t *testing.T, deadline time.Duration) []string {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(routing.Embedded, &r); err != nil {
		t.Fatal(err)
	}
	r["deadlines"].(map[string]any)["emergency"] = deadline.String()
	b, _ := json.Marshal(r)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, routing.File), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--policies", dir}
}

// faultCheck runs the faults and checks what each left.
type faultCheck struct {
	d        *splitDeployment
	cluster  *pgcluster.Cluster
	load     *faultLoad
	deadline time.Duration
	due      []string          // emergency referrals made as each fault began
	before   [2]map[string]int // the cases and referrals stored before the load
}

// fault runs the load, injects the fault (which returns when it ended),
// waits for a write to succeed again, stops the load and checks.
func (c *faultCheck) fault(t *testing.T, name string, inject func() time.Time) {
	l := c.load
	l.mu.Lock()
	cases0, refs0 := len(l.cases), len(l.refs)
	l.mu.Unlock()
	l.start(4)
	time.Sleep(2 * time.Second)
	// An emergency offer, due while the fault lasts if it lasts longer
	// than the deadline, or soon after.
	if id := l.write("/api/v1/cases", registrationBody("due")); id != "" {
		ref := l.write("/api/v1/referrals", l.referralBody(id, "emergency"))
		l.mu.Lock()
		l.cases = append(l.cases, id)
		if ref != "" {
			l.refs = append(l.refs, ref)
			c.due = append(c.due, ref)
		}
		l.mu.Unlock()
	}
	dueAt := time.Now().Add(c.deadline)
	start := time.Now()
	end := inject()
	l.waitSuccess(t, end)
	time.Sleep(2 * time.Second)
	l.halt()
	seen := l.during(start, end)
	drain := c.drained(t)
	w := c.written(t)
	c.verify(t)
	l.mu.Lock()
	cases, refs, gaveUp := len(l.cases), len(l.refs), l.gaveUp
	l.mu.Unlock()
	t.Logf("| %s | acked %d cases, %d referrals (of %d, %d in all) | %s | "+
		"%s | outboxes drained in %.1f s | offer due %s |",
		name, cases-cases0, refs-refs0, cases, refs, w, seen, drain.Seconds(),
		map[bool]string{true: "during the fault", false: "after the fault"}[dueAt.Before(end)])
	if w != (writeCounts{}) || gaveUp != 0 {
		t.Errorf("after %s: %s; %d writes given up", name, w, gaveUp)
	}
}

func (c *faultCheck) db(t *testing.T) *sql.DB {
	t.Helper()
	conn, err := sql.Open("postgres", c.cluster.URL("nrm"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// drained waits until no service's outbox holds an undelivered message
// (unnumbered, or past its topic's delivered mark) and says how long.
func (c *faultCheck) drained(t *testing.T) time.Duration {
	t.Helper()
	conn, start := c.db(t), time.Now()
	var left map[string]int
	for time.Since(start) < time.Minute {
		left = map[string]int{}
		for _, s := range []string{"identity", "intake", "referral", "stats"} {
			var n int
			err := conn.QueryRow(fmt.Sprintf(`SELECT (SELECT count(*) FROM %[1]s.outbox WHERE seq IS NULL) +
				(SELECT count(*) FROM %[1]s.outbox o JOIN %[1]s.outbox_seq q ON q.topic = o.topic WHERE o.seq > q.delivered)`, s)).Scan(&n)
			if err != nil {
				t.Fatalf("%s outbox: %v", s, err)
			}
			if n > 0 {
				left[s] = n
			}
		}
		if len(left) == 0 {
			return time.Since(start)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("outboxes not drained a minute after the fault: %v", left)
	return 0
}

// writeCounts is what the database holds against what the clients were
// told; every count must be zero.
type writeCounts struct {
	lost    int // acknowledged, not stored (or, a case, not listed by the API)
	extra   int // stored, never acknowledged (a retry stored twice)
	missing int // acknowledged, no audit event
	doubled int // audit events beyond one per write
	gaps    int // sequence numbers missing from the audit log
}

func (w writeCounts) String() string {
	return fmt.Sprintf("lost %d, stored unacknowledged %d | audit missing %d, doubled %d, seq gaps %d",
		w.lost, w.extra, w.missing, w.doubled, w.gaps)
}

// faultWrites are the tables and audit actions of the load's writes.
var faultWrites = []struct{ table, action string }{
	{"intake.cases", "intake.case.register"}, {"referral.referrals", "referral.referral.create"},
}

// written compares the acknowledged writes with the rows stored since the
// load began (and the cases with the API's listing of them), and with
// their audit events by object id; and finds, per
// source, the sequence numbers missing from the audit log (a source
// numbers its events 1..n).
func (c *faultCheck) written(t *testing.T) (w writeCounts) {
	t.Helper()
	conn := c.db(t)
	l := c.load
	l.mu.Lock()
	defer l.mu.Unlock()
	listed := c.listed(t)
	for i, acked := range [][]string{l.cases, l.refs} {
		stored := c.ids(t, conn, `SELECT id, 1 FROM `+faultWrites[i].table)
		audited := c.ids(t, conn, `SELECT object_id, count(*) FROM audit.events WHERE action = $1 GROUP BY object_id`, faultWrites[i].action)
		for _, id := range acked {
			if stored[id] == 0 || i == 0 && !listed[id] {
				w.lost++
			}
			delete(stored, id)
			switch n := audited[id]; {
			case n == 0:
				w.missing++
			case n > 1:
				w.doubled += n - 1
			}
		}
		for id := range stored {
			if c.before[i][id] == 0 {
				w.extra++
			}
		}
	}
	err := conn.QueryRow(`SELECT COALESCE(sum(m - n), 0) FROM (SELECT max(seq) AS m, count(*) AS n FROM audit.events
		WHERE source <> 'audit' GROUP BY source) s`).Scan(&w.gaps)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// listed is the officer's cases as the API lists them, page by page.
func (c *faultCheck) listed(t *testing.T) map[string]bool {
	t.Helper()
	have := map[string]bool{}
	for after := ""; ; {
		var page struct {
			Cases []struct{ ID string } `json:"cases"`
			Next  string                `json:"next"`
		}
		q := url.Values{"limit": {"200"}}
		if after != "" {
			q.Set("after", after)
		}
		st, b := call(t, "GET", c.load.base+"/api/v1/cases?"+q.Encode(), c.load.officer, nil)
		if st != 200 || json.Unmarshal(b, &page) != nil {
			t.Fatalf("listing cases: %d %s", st, b)
		}
		for _, cs := range page.Cases {
			have[cs.ID] = true
		}
		if after = page.Next; after == "" || len(page.Cases) == 0 {
			return have
		}
	}
}

func (c *faultCheck) ids(t *testing.T, conn *sql.DB, q string, args ...any) map[string]int {
	t.Helper()
	rows, err := conn.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		m[id] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// verify runs nrm audit verify with audit's own keys.
func (c *faultCheck) verify(t *testing.T) {
	t.Helper()
	out, err := exec.Command(c.d.bin, "audit", "verify", "--database-url", c.d.dbURL,
		"--keys", filepath.Join(filepath.Dir(c.d.keys), "keys-audit")).CombinedOutput()
	if err != nil {
		t.Fatalf("nrm audit verify: %v: %s", err, out)
	}
}

// deadlines waits for the sweeper to expire every offer that fell due
// during a fault (it sweeps every 30 s).
func (c *faultCheck) deadlines(t *testing.T) {
	if len(c.due) == 0 {
		t.Fatal("no referral with a deadline was made")
	}
	conn := c.db(t)
	var pending []string
	for limit := time.Now().Add(c.deadline + 45*time.Second); ; time.Sleep(time.Second) {
		pending = pending[:0]
		for _, id := range c.due {
			// One candidate: its offer expires and, no candidate left,
			// the referral goes to the coordinators (lifecycle.go).
			var offer, status string
			if err := conn.QueryRow(`SELECT c.status, r.status FROM referral.referral_candidates c
				JOIN referral.referrals r ON r.id = c.referral_id WHERE c.referral_id = $1`, id).Scan(&offer, &status); err != nil {
				t.Fatal(err)
			}
			if offer != "expired" || status != "no_provider" {
				pending = append(pending, id+" "+offer+"/"+status)
			}
		}
		if len(pending) == 0 || time.Now().After(limit) {
			break
		}
	}
	t.Logf("| deadlines | %d offers fell due | %d expired and their referral handed to the coordinators (no_provider) |",
		len(c.due), len(c.due)-len(pending))
	if len(pending) > 0 {
		t.Errorf("offers past their deadline not expired: %s", strings.Join(pending, ", "))
	}
}
