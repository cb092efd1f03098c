package stats

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

func (f *fixture) addCases(t *testing.T, prefix, month string, n int) {
	t.Helper()
	// One delivery: release control counts the cases changed, not the
	// batches they came in.
	f.sendN(t, n, func(i int) facts.Event {
		return registered(fmt.Sprintf("%s-%d", prefix, i), month, "MA-01", "female", "adult", "abroad", "ngo", "sexual")
	})
}

// Reading a period that is still open and was never released makes no
// release: otherwise the read would freeze the period, and a release of
// the next few cases would be refused as too small.
func TestReadingAnOpenPeriodLeavesLaterReleasesFree(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil) // clock 2026-11-20: November is open
		f.addCases(t, "a", "2026-11", 20)
		for _, name := range []string{TableRegionResponder, TableCasesByNationality} {
			if _, err := f.s.Table(f.ctx, name, "2026-11"); !errors.Is(err, ErrNoRelease) {
				t.Fatalf("reading %s of an open period never released: %v, want %v", name, err, ErrNoRelease)
			}
		}
		if _, err := f.s.Report(f.ctx, 2026); !errors.Is(err, ErrNoRelease) {
			t.Fatalf("the report of an open year never released: %v", err)
		}
		if rs, err := f.s.Releases(f.ctx, ""); err != nil || len(rs) != 0 {
			t.Fatalf("reads made releases: %v %v", rs, err)
		}
		f.addCases(t, "b", "2026-11", 3)
		r, err := f.release("nov-1", "2026-11")
		if err != nil {
			t.Fatalf("a release after the reads: %v", err)
		}
		if st := statuses(r); st[TableRegionResponder] != StatusNew {
			t.Fatalf("region_responder %s, want new", st[TableRegionResponder])
		}
		if got := f.table(t, TableRegionResponder, "2026-11"); got.Release != "nov-1" || got.Status != StatusProvisional {
			t.Fatalf("served from %q (%s)", got.Release, got.Status)
		}
		// A closed period is released by its first read, final.
		f.addCases(t, "c", "2026-10", 12)
		got, err := f.s.Table(f.ctx, TableRegionResponder, "2026-10")
		if err != nil || got.Release != "auto-2026-10" || got.Status != StatusFinal {
			t.Fatalf("a closed period's first read: %q %s %v", got.Release, got.Status, err)
		}
	})
}

func TestReleaseList(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.addCases(t, "a", "2026-11", 20)
		dataTime := f.clock
		f.clock = f.clock.Add(time.Hour)
		if _, err := f.release("nov-1", "2026-11"); err != nil {
			t.Fatal(err)
		}
		f.addCases(t, "b", "2026-11", 1)
		if _, err := f.release("q4-1", "2026-Q4"); err != nil {
			t.Fatal(err)
		}
		f.addCases(t, "c", "2026-10", 15)
		if _, err := f.release("oct-1", "2026-10"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "dp-1", Epsilon: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReleaseTable(f.ctx, "dp-1", TableUnmetNeeds, "2026-10", 0); err != nil {
			t.Fatal(err)
		}
		// A differential-privacy release with an answer of an open month,
		// and one with no answer yet.
		f.sendN(t, 12, func(i int) facts.Event { return noProvider(fmt.Sprintf("a-%d", i), "2026-11", "shelter") })
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "dp-open", Epsilon: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReleaseTable(f.ctx, "dp-open", TableUnmetNeeds, "2026-10", 0); err != nil {
			t.Fatal(err)
		}
		openAnswer, err := f.s.ReleaseTable(f.ctx, "dp-open", TableUnmetNeeds, "2026-11", 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "dp-empty", Epsilon: 2}); err != nil {
			t.Fatal(err)
		}
		srv := serve(t, f)
		code, body, _ := do(t, srv, "GET", "/api/v1/stats/releases", "", "analyst-9", auth.RoleCommissionAnalyst)
		if code != http.StatusOK {
			t.Fatalf("release list: %d %s", code, body)
		}
		var list struct{ Releases []Release }
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		byName := map[string]Release{}
		for _, r := range list.Releases {
			byName[r.Name] = r
		}
		if len(byName) != 6 {
			t.Fatalf("%d releases listed: %s", len(byName), body)
		}
		nov := byName["nov-1"]
		if nov.Method != MethodCellKey || nov.Period != "2026-11" || nov.Status != StatusProvisional || nov.AsOf == nil ||
			!nov.AsOf.Equal(dataTime) || !nov.CreatedAt.Equal(dataTime.Add(time.Hour)) || len(nov.Tables) != len(f.s.tables) {
			t.Errorf("nov-1: %+v", nov)
		}
		if oct := byName["oct-1"]; oct.Status != StatusFinal {
			t.Errorf("a release of a closed month: %s, want final", oct.Status)
		}
		withheld := 0
		for _, tb := range byName["q4-1"].Tables {
			// The new adult case changed every case table but children's.
			if f.s.byName[tb.Table].Family == FamilyCases && tb.Table != TableChildren {
				if tb.Status != StatusWithheld || tb.Reason != ReasonTooFewChanges || tb.Detail != "2026-11" {
					t.Errorf("q4-1 %s: %+v, want withheld, too few changes since 2026-11", tb.Table, tb)
				}
				withheld++
			}
		}
		if withheld != 6 {
			t.Errorf("%d case tables in q4-1", withheld)
		}
		dp := byName["dp-1"]
		if dp.Method != MethodDP || dp.Spent != 0.5 || len(dp.Tables) != 1 || dp.Tables[0].Period != "2026-10" || dp.Tables[0].Epsilon != 0.5 {
			t.Errorf("dp-1: %+v", dp)
		}
		// A differential-privacy release says how final its answers are and
		// when their data is as of, like a snapshot.
		if dp.Status != StatusFinal || dp.AsOf == nil || dp.Tables[0].PeriodStatus != StatusFinal || dp.Tables[0].AsOf == nil {
			t.Errorf("dp-1 of a closed month: status %q as of %v, answer %+v", dp.Status, dp.AsOf, dp.Tables[0])
		}
		dpo := byName["dp-open"]
		if dpo.Status != StatusProvisional || dpo.AsOf == nil || openAnswer.AsOf == nil || !dpo.AsOf.Equal(*openAnswer.AsOf) || len(dpo.Tables) != 2 {
			t.Errorf("dp-open: status %q as of %v, want provisional as of %v", dpo.Status, dpo.AsOf, openAnswer.AsOf)
		}
		for _, tb := range dpo.Tables {
			if want := map[string]string{"2026-10": StatusFinal, "2026-11": StatusProvisional}[tb.Period]; tb.PeriodStatus != want {
				t.Errorf("dp-open answer of %s: %q, want %q", tb.Period, tb.PeriodStatus, want)
			}
		}
		if de := byName["dp-empty"]; de.Status != "" || de.AsOf != nil {
			t.Errorf("a release without answers: status %q as of %v", de.Status, de.AsOf)
		}
		if code, body, _ := do(t, srv, "GET", "/api/v1/stats/releases?period=2026-10", "", "analyst-9", auth.RoleCommissionAnalyst); code != 200 ||
			!strings.Contains(body, `"oct-1"`) || !strings.Contains(body, `"dp-1"`) || strings.Contains(body, `"nov-1"`) {
			t.Errorf("releases of 2026-10: %d %s", code, body)
		}
		if code, _, _ := do(t, srv, "GET", "/api/v1/stats/releases", "", "officer", auth.RoleFrontlineOfficer); code != http.StatusForbidden {
			t.Errorf("an officer reads the release list: %d", code)
		}
		// Every answer names its release, as-of time and status.
		code, _, h := do(t, srv, "GET", "/api/v1/stats/tables/children?period=2026-11&format=csv", "", "analyst-9", auth.RoleCommissionAnalyst)
		if code != 200 || h.Get("Stats-Release") != "nov-1" || h.Get("Stats-Status") != StatusProvisional ||
			h.Get("Stats-As-Of") != dataTime.Format(time.RFC3339) || !strings.Contains(h.Get("Content-Disposition"), "nov-1") {
			t.Errorf("csv answer: %d %v", code, h)
		}
		code, body, _ = do(t, srv, "GET", "/api/v1/stats/tables/children?period=2026-11", "", "analyst-9", auth.RoleCommissionAnalyst)
		var tb Table
		if err := json.Unmarshal([]byte(body), &tb); code != 200 || err != nil || tb.Release != "nov-1" || tb.Status != StatusProvisional ||
			tb.AsOf == nil || !tb.AsOf.Equal(dataTime) {
			t.Errorf("table answer: %d %+v", code, tb)
		}
	})
}

// The annual report shows the tables its release withheld, with the
// reason, and names the release, its status and the time its data is as of.
func TestReportShowsWithheldTables(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), nil)
	f.addCases(t, "a", "2026-11", 20)
	f.send(t, decided("a-0", "2026-11", "rg_positive", 3, true))
	if _, err := f.release("nov", "2026-11"); err != nil {
		t.Fatal(err)
	}
	f.addCases(t, "b", "2026-11", 1)
	f.sendN(t, 12, func(i int) facts.Event { return decided(fmt.Sprintf("a-%d", i+1), "2026-11", "rg_positive", 4, true) })
	r, err := f.release("y2026", "2026")
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(r)
	if st[TableRegionResponder] != StatusWithheld || st[TableDecisionsOutcomeAge] != StatusNew {
		t.Fatalf("release statuses: %v", st)
	}
	b, err := f.s.Report(f.ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, info := range f.s.tables {
		if !strings.Contains(html, info.Title) {
			t.Errorf("the report lacks the section of %s", info.Name)
		}
	}
	if n := strings.Count(html, "Withheld: publishing it would differ from the published figures of 2026-11 by fewer than 10 cases"); n != 6 {
		t.Errorf("%d tables shown as withheld, want the 6 case tables an adult is in", n)
	}
	for _, want := range []string{"Release <strong>y2026</strong>", "<strong>provisional</strong>", "data as of 2026-11-20 09:00 UTC", "Total by quarter", "2026-Q4"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

func TestSeriesAndLedgerOverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), nil)
	f.addCases(t, "q3", "2026-08", 20)
	f.addCases(t, "q4", "2026-10", 30)
	for _, p := range []string{"2026-Q3", "2026-Q4"} {
		if _, err := f.release("r-"+p, p); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, f)
	c, err := NewClient(srv.URL, &http.Client{Transport: analystTransport{}})
	if err != nil {
		t.Fatal(err)
	}
	sr, err := c.Series(f.ctx, TableCasesByAgeLocation, "2026-Q2", "2026-Q4")
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.Points) != 3 || sr.Points[0].Missing != "no_release" || sr.Points[1].Table == nil || sr.Points[2].Table == nil {
		t.Fatalf("series: %+v", sr)
	}
	for i, want := range []int64{20, 30} {
		cell, _ := sr.Points[i+1].Table.Find(unitCases, total, total)
		if cell.Value == nil || *cell.Value < want-2 || *cell.Value > want+2 || sr.Points[i+1].Table.Release != "r-"+sr.Points[i+1].Period {
			t.Errorf("%s: total %s from %q", sr.Points[i+1].Period, value(cell), sr.Points[i+1].Table.Release)
		}
	}
	for _, bad := range [][2]string{{"2026-Q1", "2026"}, {"2026-Q4", "2026-Q1"}, {"2026-01", "2026-03"}, {"2010", "2060"}} {
		if _, err := c.Series(f.ctx, TableCasesByAgeLocation, bad[0], bad[1]); !errors.Is(err, ErrBadSeries) {
			t.Errorf("series %s..%s: %v", bad[0], bad[1], err)
		}
	}
	if _, err := c.CreateRelease(f.ctx, ReleaseSpec{Name: "dp", Epsilon: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReleaseTable(f.ctx, "dp", TableReferralOutcomes, "2026-Q3", 0.75); err != nil {
		t.Fatal(err)
	}
	if again, err := c.ReleaseTable(f.ctx, "dp", TableReferralOutcomes, "2026-Q3", 0); err != nil || again.Epsilon != 0.75 {
		t.Fatalf("the stored answer read again without an epsilon: %v %v", again.Epsilon, err)
	}
	_, err = c.ReleaseTable(f.ctx, "dp", TableUnmetNeeds, "2026-08", 0.5)
	if !errors.Is(err, ErrPrivacyBudgetSpent) || !strings.Contains(err.Error(), "epsilon 0.25 of 1 remains") {
		t.Fatalf("over the referrals' budget, over HTTP: %v", err)
	}
	entries, err := c.Ledger(f.ctx, "2026-08")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		want := 0.0
		if e.Family == FamilyReferrals {
			want = 0.75
		}
		if e.Month != "2026-08" || e.Spent != want || e.Budget != 1 {
			t.Errorf("ledger entry %+v", e)
		}
	}
	if _, err := c.ReleaseTable(f.ctx, "r-2026-Q3", TableUnmetNeeds, "", 0.5); !errors.Is(err, ErrBadEpsilon) {
		t.Errorf("epsilon on a snapshot release: %v", err)
	}
}
