package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// check runs the checks on a server that has stopped taking load: every
// acknowledged registration read back, every stored case accounted for,
// every acknowledged read found in the audit log, statistics equal to the
// cases, and nrm audit verify on the stopped server's data.
func (st *stage) check(ctx context.Context) error {
	sum, led := st.sum, st.led
	st.readBack(ctx)
	st.say("read back %d acknowledged registrations: %d lost, %d differ", sum.Acknowledged, sum.Lost, sum.Mismatched)
	if err := st.census(ctx); err != nil {
		return err
	}
	st.say("cases stored: %d; duplicates from retries %d; stored but never acknowledged %d", sum.CasesStored, sum.Duplicates, sum.StoredUnacknowledged)
	if err := st.checkReferrals(ctx); err != nil {
		return err
	}
	st.say("referrals acknowledged %d; duplicates from retries %d", sum.ReferralsAcknowledged, sum.ReferralDuplicates)
	if err := st.auditMatch(ctx); err != nil {
		return err
	}
	st.say("acknowledged reads %d, unaudited %d", sum.ReadsAcknowledged, sum.Unaudited)
	if err := st.statsMatch(ctx); err != nil {
		return err
	}
	st.say("statistics: %d registered cases for %d cases (equal: %t)", sum.StatsCases, sum.IntakeCases, sum.StatsEqual)
	st.srv.stop()
	args := []string{"audit", "verify", "--keys", st.keys, "--data", st.data}
	if st.dbURL != "" {
		args = append(args, "--database-url", st.dbURL)
	}
	out, code, err := nrm(ctx, st.cfg.Bin, nil, args...)
	if err != nil {
		return err
	}
	sum.AuditVerifyExit = code
	sum.AuditVerify = strings.TrimSpace(lastLine(out))
	st.say("nrm audit verify: exit %d: %s", code, sum.AuditVerify)

	led.mu.Lock()
	defer led.mu.Unlock()
	maps.Copy(sum.Status, led.tally)
	for k, n := range led.tally {
		if i := strings.IndexByte(k, ' '); i > 0 {
			if c, err := strconv.Atoi(strings.Fields(k[i+1:])[0]); err == nil && c >= 500 && c != 503 {
				sum.Non503ServerErrors += n
			}
			if strings.HasPrefix(k[i+1:], "401") {
				sum.RefusedTokens += n
			}
		}
	}
	for _, op := range led.ops {
		switch {
		case op.probe:
		case op.ackID != "":
			sum.Retries += op.attempts - 1
		case op.gaveUp:
			sum.GaveUp++
		case op.refused != "":
			sum.Refused++
		}
		sum.Registrations++
	}
	return nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// get reads path as s, retrying while the server does not answer or fails
// (the checks run after the faults, but a slow outbox is no loss).
func (st *stage) get(ctx context.Context, s *session, path string, record bool) exchange {
	var x exchange
	for range 60 {
		x = s.do(ctx, "GET", path, nil, "")
		if record {
			st.led.count("check-read", x)
		}
		if x.status != 0 && x.status < 500 && x.status != http.StatusUnauthorized && x.status != http.StatusTooManyRequests {
			return x
		}
		if sleep(ctx, 500*time.Millisecond) != nil {
			return x
		}
	}
	return x
}

// readBack reads every acknowledged registration and compares it with
// what the client sent. The reads are acknowledged reads too.
func (st *stage) readBack(ctx context.Context) {
	led := st.led
	led.mu.Lock()
	acked := slices.Clone(led.acked)
	led.mu.Unlock()
	st.sum.Acknowledged = len(acked)
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for {
				mu.Lock()
				if next >= len(acked) {
					mu.Unlock()
					return
				}
				op := acked[next]
				next++
				mu.Unlock()
				x := st.get(ctx, st.officer, "/api/v1/cases/"+op.ackID, true)
				var lost, differs bool
				var what string
				switch {
				case x.status == http.StatusNotFound:
					lost, what = true, "404"
				case x.status != http.StatusOK:
					lost, what = true, x.outcome()
				default:
					led.mu.Lock()
					led.reads = append(led.reads, readAck{x.requestID, op.ackID})
					led.mu.Unlock()
					if d := differences(op.reg, x.body); d != "" {
						differs, what = true, d
					}
				}
				mu.Lock()
				if lost {
					st.sum.Lost++
				}
				if differs {
					st.sum.Mismatched++
				}
				if (lost || differs) && len(st.sum.Failures) < 20 {
					st.sum.Failures = append(st.sum.Failures, fmt.Sprintf("registration %d (case %s): %s", op.n, op.ackID, what))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// differences compares a case as read with the registration sent: the
// attributes kept as columns and every sealed section's content.
func differences(sent casefile.Registration, body []byte) string {
	var got casefile.Case
	if err := json.Unmarshal(body, &got); err != nil {
		return "unreadable case: " + err.Error()
	}
	sorted := func(v []string) string { v = slices.Clone(v); slices.Sort(v); return strings.Join(v, ",") }
	var diffs []string
	cmp := func(name, a, b string) {
		if a != b {
			diffs = append(diffs, name)
		}
	}
	cmp("route", sent.Route, got.Route)
	cmp("identified_on", sent.IdentifiedOn, got.IdentifiedOn)
	cmp("region", sent.Region, got.Region)
	cmp("gender", sent.Gender, got.Gender)
	cmp("age_group", sent.AgeGroup, got.AgeGroup)
	cmp("nationalities", sorted(sent.Nationalities), sorted(got.Nationalities))
	cmp("exploitation_types", sorted(sent.ExploitationTypes), sorted(got.ExploitationTypes))
	cmp("exploitation_location", sent.ExploitationLocation, got.ExploitationLocation)
	cmp("needs", sorted(sent.Needs), sorted(got.Needs))
	cmp("languages", sorted(sent.Languages), sorted(got.Languages))
	section := func(name string, v any) {
		raw, ok := got.Sections[name]
		if !ok {
			diffs = append(diffs, "section "+name+" missing")
			return
		}
		if err := json.Unmarshal(raw, v); err != nil {
			diffs = append(diffs, "section "+name+" unreadable")
		}
	}
	var id casefile.IdentityInfo
	var nar casefile.NarrativeInfo
	var hea casefile.HealthInfo
	var leg casefile.LegalInfo
	section("identity", &id)
	section("narrative", &nar)
	section("health", &hea)
	section("legal", &leg)
	cmp("identity.full_name", sent.Identity.FullName, id.FullName)
	cmp("identity.date_of_birth", sent.Identity.DateOfBirth, id.DateOfBirth)
	cmp("narrative.account", sent.Narrative.Account, nar.Account)
	cmp("health.notes", sent.Health.Notes, hea.Notes)
	cmp("legal.notes", sent.Legal.Notes, leg.Notes)
	if len(diffs) > 0 {
		return "differs in " + strings.Join(diffs, ", ")
	}
	return ""
}

// auditMatch pages through the audit log's case reads as an auditor until
// every acknowledged read is found by its request id, or Settle passes.
func (st *stage) auditMatch(ctx context.Context) error {
	led := st.led
	led.mu.Lock()
	want := slices.Clone(led.reads)
	led.mu.Unlock()
	st.sum.ReadsAcknowledged = len(want)
	seen := map[string]string{} // request id → case id
	after := int64(-1)
	deadline := time.Now().Add(st.cfg.Settle)
	for {
		for {
			q := url.Values{"action": {"intake.case.read"}, "outcome": {"allowed"}, "limit": {"1000"}}
			if after >= 0 {
				q.Set("after", strconv.FormatInt(after, 10))
			}
			x := st.get(ctx, st.auditor, "/api/v1/audit/events?"+q.Encode(), false)
			if x.status != http.StatusOK {
				return fmt.Errorf("chaos: audit events: %s", x.outcome())
			}
			var page struct {
				Events []struct {
					Index     int64  `json:"index"`
					ObjectID  string `json:"object_id"`
					RequestID string `json:"request_id"`
				} `json:"events"`
				Next *int64 `json:"next"`
			}
			if err := json.Unmarshal(x.body, &page); err != nil {
				return fmt.Errorf("chaos: audit events: %w", err)
			}
			for _, e := range page.Events {
				seen[e.RequestID] = e.ObjectID
				after = max(after, e.Index)
			}
			if page.Next != nil {
				after = max(after, *page.Next)
			}
			if len(page.Events) < 1000 {
				break
			}
		}
		missing := 0
		for _, r := range want {
			if seen[r.requestID] != r.caseID {
				missing++
			}
		}
		st.sum.Unaudited = missing
		if missing == 0 || time.Now().After(deadline) {
			return nil
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}
