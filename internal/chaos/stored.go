package chaos

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	_ "github.com/lib/pq"  // the private cluster's superuser reads the counts
	_ "modernc.org/sqlite" // the data directory's files, read-only

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// What the server holds, as against what the client was told: every
// stored case and referral tied to the request that made it, and the
// statistics service's facts against intake's cases.

var markerRe = regexp.MustCompile(`chaos-([0-9a-f]+)-op-([0-9]+)`)

// census lists every case of the officer's organisation and ties each to
// the registration whose marker it carries: a registration stored twice
// is a duplicate (a retry the server did not recognise), one stored but
// never acknowledged is counted apart.
func (st *stage) census(ctx context.Context) error {
	led := st.led
	known := map[string]bool{}
	ops := map[int]*regOp{}
	led.mu.Lock()
	for _, op := range led.ops {
		ops[op.n] = op
		if op.ackID != "" {
			known[op.ackID] = true
		}
		for _, id := range op.extraIDs {
			known[id] = true
		}
	}
	led.mu.Unlock()
	stored := map[int]int{}
	for _, op := range ops {
		if op.ackID != "" {
			stored[op.n] = 1
		}
	}
	var ids []string
	after := ""
	for {
		q := url.Values{"limit": {"200"}}
		if after != "" {
			q.Set("after", after)
		}
		x := st.get(ctx, st.officer, "/api/v1/cases?"+q.Encode(), false)
		if x.status != http.StatusOK {
			return fmt.Errorf("chaos: list cases: %s", x.outcome())
		}
		var page casefile.CasePage
		if err := json.Unmarshal(x.body, &page); err != nil {
			return fmt.Errorf("chaos: list cases: %w", err)
		}
		for _, c := range page.Cases {
			ids = append(ids, c.ID)
		}
		if page.Next == "" || len(page.Cases) == 0 {
			break
		}
		after = page.Next
	}
	st.sum.CasesStored = len(ids)
	for _, id := range ids {
		if known[id] {
			continue
		}
		x := st.get(ctx, st.officer, "/api/v1/cases/"+id, true)
		if x.status != http.StatusOK {
			return fmt.Errorf("chaos: read case %s: %s", id, x.outcome())
		}
		st.led.mu.Lock()
		st.led.reads = append(st.led.reads, readAck{x.requestID, id})
		st.led.mu.Unlock()
		var c casefile.Case
		_ = json.Unmarshal(x.body, &c)
		var nar casefile.NarrativeInfo
		_ = json.Unmarshal(c.Sections["narrative"], &nar)
		m := markerRe.FindStringSubmatch(nar.Account)
		n := -1
		if m != nil && m[1] == led.runID {
			n, _ = strconv.Atoi(m[2])
		}
		if ops[n] == nil {
			st.sum.Unidentified++
			continue
		}
		stored[n]++
	}
	for n, k := range stored {
		op := ops[n]
		if k > 1 {
			st.sum.Duplicates += k - 1
		}
		if op.ackID == "" && k > 0 {
			st.sum.StoredUnacknowledged++
		}
	}
	return nil
}

// checkReferrals reads back every acknowledged referral and counts, in
// the referral service's database, the referrals of each case referred:
// a case is referred once, so a second referral is a duplicate.
func (st *stage) checkReferrals(ctx context.Context) error {
	st.led.mu.Lock()
	refs := slices.Clone(st.led.refs)
	st.led.mu.Unlock()
	for _, r := range refs {
		if r.c.id == "" {
			if r.c.refused != "" {
				st.sum.Refused++
			} else {
				st.sum.GaveUp++
			}
			continue
		}
		st.sum.ReferralsAcknowledged++
		x := st.get(ctx, st.officer, "/api/v1/referrals/"+r.c.id, false)
		var got struct {
			CaseID  string `json:"case_id"`
			Service string `json:"service"`
		}
		_ = json.Unmarshal(x.body, &got)
		what := ""
		switch {
		case x.status != http.StatusOK:
			st.sum.Lost++
			what = x.outcome()
		case got.CaseID != r.caseID || got.Service != "shelter":
			st.sum.Mismatched++
			what = "differs in case_id or service"
		}
		if what != "" && len(st.sum.Failures) < 20 {
			st.sum.Failures = append(st.sum.Failures, fmt.Sprintf("referral %s of case %s: %s", r.c.id, r.caseID, what))
		}
	}
	counts, err := st.count(ctx, "referral", `SELECT case_id, COUNT(*) FROM %sreferrals GROUP BY case_id`)
	if err != nil {
		return err
	}
	for _, r := range refs {
		n := counts[r.caseID]
		if n > 1 {
			st.sum.ReferralDuplicates += n - 1
		}
		if r.c.id == "" && n > 0 {
			st.sum.StoredUnacknowledged++
		}
	}
	return nil
}

// statsMatch compares, region by region, the cases intake holds with the
// registered cases the statistics service holds, waiting up to Settle
// for the outbox to deliver.
func (st *stage) statsMatch(ctx context.Context) error {
	deadline := time.Now().Add(st.cfg.Settle)
	for {
		cases, err := st.count(ctx, "intake", `SELECT region, COUNT(*) FROM %scases GROUP BY region`)
		if err != nil {
			return err
		}
		facts, err := st.count(ctx, "stats", `SELECT region, COUNT(*) FROM %scases WHERE registered GROUP BY region`)
		if err != nil {
			return err
		}
		st.sum.IntakeCases, st.sum.StatsCases = total(cases), total(facts)
		st.sum.StatsEqual = maps.Equal(cases, facts)
		if st.sum.StatsEqual || time.Now().After(deadline) {
			return nil
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// count runs a query of (key, count) rows on service's database: a
// read-only SQLite file, or the service's schema as the cluster's superuser.
func (st *stage) count(ctx context.Context, service, query string) (map[string]int, error) {
	var (
		sdb *sql.DB
		err error
	)
	if st.dbURL != "" {
		sdb, err = sql.Open("postgres", st.dbURL)
		query = fmt.Sprintf(query, service+".")
	} else {
		sdb, err = sql.Open("sqlite", "file:"+filepath.Join(st.data, service+".db")+"?mode=ro&_pragma=busy_timeout(10000)")
		query = fmt.Sprintf(query, "")
	}
	if err != nil {
		return nil, err
	}
	defer sdb.Close()
	rows, err := sdb.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("chaos: count %s: %w", service, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[key] = n
	}
	return out, rows.Err()
}
