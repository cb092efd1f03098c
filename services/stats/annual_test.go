package stats

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

func (f *fixture) storedReports(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM annual_reports`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The annual report is built once for the releases it reads and served
// from the store afterwards: its figures are the tables' of those
// releases, a second view reads the stored report (one audit record per
// view, nothing spent from the privacy ledger), and a new release of a
// quarter builds it afresh.
func TestAnnualReportIsStoredWithTheTablesFigures(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.addCases(t, "q3", "2026-08", 20)
		f.addCases(t, "q4", "2026-10", 30)
		f.sendN(t, 12, func(i int) facts.Event { return decided(fmt.Sprintf("q4-%d", i), "2026-10", "rg_positive", 4, true) })
		if _, err := f.release("r-q3", "2026-Q3"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.release("y2026", "2026"); err != nil {
			t.Fatal(err)
		}
		// A differential-privacy answer spends from the ledger; the report
		// must spend nothing more, built or re-read.
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "dp-1", Epsilon: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ReleaseTable(f.ctx, "dp-1", TableRegionResponder, "2026-10", 0.5); err != nil {
			t.Fatal(err)
		}
		ledger, err := f.s.Ledger(f.ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}

		first, err := f.s.AnnualReport(f.ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if first.Release != "y2026" || len(first.Sections) != len(f.s.tables) {
			t.Fatalf("report of %q with %d sections", first.Release, len(first.Sections))
		}
		for _, sec := range first.Sections {
			if sec.Withheld != nil {
				continue
			}
			want := f.table(t, sec.Info.Name, "2026")
			if !reflect.DeepEqual(*sec.Table, want) {
				t.Fatalf("%s: the report's figures differ from the table's", sec.Info.Name)
			}
			sr, err := f.s.Series(f.ctx, sec.Info.Name, "2026-Q1", "2026-Q4")
			if err != nil {
				t.Fatal(err)
			}
			for i, pt := range sr.Points {
				if pt.Table != nil {
					pt.Table.Cells = grandTotal(sec.Info, pt.Table.Cells)
				}
				if !reflect.DeepEqual(sec.Quarters.Points[i], pt) {
					t.Fatalf("%s: the report's %s differs from the series", sec.Info.Name, pt.Period)
				}
			}
		}
		if n := f.storedReports(t); n != 1 {
			t.Fatalf("%d stored reports after the first view", n)
		}

		second, err := f.s.AnnualReport(f.ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		second.raw = nil // read from the store
		if !reflect.DeepEqual(first, second) {
			t.Fatal("the second view differs from the first")
		}
		if n := f.storedReports(t); n != 1 {
			t.Fatalf("%d stored reports after the second view, want the first one read", n)
		}
		// Over HTTP the stored encoding is served as it is.
		c, err := NewClient(serve(t, f).URL, &http.Client{Transport: analystTransport{}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := c.AnnualReport(f.ctx, 2026); err != nil || !reflect.DeepEqual(got, first) {
			t.Fatalf("over HTTP the report differs from the first view: %v", err)
		}
		if n := f.auditCount(t, "stats.annual_report.read", "allowed", "analyst-1") + f.auditCount(t, "stats.annual_report.read", "allowed", "analyst-2"); n != 3 {
			t.Fatalf("%d audit records for three views", n)
		}
		if after, err := f.s.Ledger(f.ctx, "2026"); err != nil || !reflect.DeepEqual(after, ledger) {
			t.Fatalf("the views spent from the privacy ledger: %v", err)
		}
		if _, err := f.s.Report(f.ctx, 2026); err != nil {
			t.Fatal(err)
		}
		if n := f.storedReports(t); n != 1 {
			t.Fatalf("the printable report stored another: %d", n)
		}

		// A release of the fourth quarter is read by the next view.
		if _, err := f.release("r-q4", "2026-Q4"); err != nil {
			t.Fatal(err)
		}
		third, err := f.s.AnnualReport(f.ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if third.Quarters[3] != "r-q4" || f.storedReports(t) != 2 {
			t.Fatalf("a new quarter release: read %v", third.Quarters)
		}
	})
}
