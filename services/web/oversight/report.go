package oversight

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/stats"
	"github.com/nrm-project/nrm/services/web/page"
)

// The annual report: every catalogue table of a year as its latest
// release publishes it, charted and tabled in the reader's language,
// printable (app.css has the print style). A table release control
// withheld is shown as withheld with the reason, never left out.

type reportSection struct {
	Info     stats.TableInfo
	Table    stats.Table
	Slice    slice
	Chart    bars
	Trend    []trendPoint
	Withheld *stats.ReleasedTable
}

// trendPoint is a table's grand total in one quarter of the year, as the
// latest release of that quarter has it, or why there is none.
type trendPoint struct {
	Period  string
	Figure  figure
	Missing string // a message key
}

// trendOf reads the grand total of each quarter; none for a table with a
// dimension that has no total.
func trendOf(sr stats.Series) []trendPoint {
	var out []trendPoint
	for _, p := range sr.Points {
		tp := trendPoint{Period: p.Period}
		switch {
		case p.Table == nil && p.Missing == "no_release":
			tp.Missing = "trend.norelease"
		case p.Table == nil:
			tp.Missing = "trend.withheld"
		default:
			dims := make([]string, len(p.Table.Dimensions))
			for i := range dims {
				dims[i] = statsTotal
			}
			c, ok := p.Table.Find(p.Table.Units[0], dims...)
			if !ok {
				return nil
			}
			tp.Figure = figureOf(c, ok)
		}
		out = append(out, tp)
	}
	return out
}

type reportData struct {
	Year     string
	Years    []string
	Release  stats.Table // the release, status and time of the first table answered
	Sections []reportSection
	Problem  string
}

func (h *Pages) report(q *page.Request) {
	if h.cfg.Stats == nil {
		h.NotFound(q)
		return
	}
	now := h.Now()
	d := reportData{}
	for i := range 3 {
		d.Years = append(d.Years, strconv.Itoa(now.Year()-i))
	}
	d.Year = q.R.URL.Query().Get("year")
	if !slices.Contains(d.Years, d.Year) {
		d.Year = d.Years[0]
	}
	v := (&page.View{Title: "report.title", Data: &d}).In(q.Loc, q.S)
	// One call: the stats service builds the report once for the
	// releases it reads and serves it from its store afterwards, with one
	// audit record per view.
	rep, err := h.cfg.Stats.AnnualReport(q.Ctx(), mustAtoi(d.Year))
	switch code := kit.AsError(err).Code; {
	case err == nil:
	case code == "no_release":
		d.Problem = "stats.norelease"
		h.Render(q, http.StatusOK, "stats_report", v)
		return
	default:
		h.Fail(q, err)
		return
	}
	for _, rs := range rep.Sections {
		info := rs.Info
		if rs.Withheld != nil || rs.Table == nil {
			w := stats.ReleasedTable{Table: info.Name, Status: stats.StatusWithheld}
			if rs.Withheld != nil {
				w = *rs.Withheld
			}
			d.Sections = append(d.Sections, reportSection{Info: info, Withheld: &w})
			continue
		}
		t := *rs.Table
		if d.Release.Release == "" {
			d.Release = t
		}
		s := sliceOf(t, "", nil)
		sec := reportSection{Info: info, Table: t, Slice: s,
			Chart: chartOf(s, q.Loc.RTL(), func(c string) string { return v.StatCode(s.By, c) },
				func(n int64) string { return v.Num64(n) }, v.T("stats.suppressed"))}
		if rs.Quarters != nil {
			sec.Trend = trendOf(*rs.Quarters)
		}
		d.Sections = append(d.Sections, sec)
	}
	h.Render(q, http.StatusOK, "stats_report", v)
}

// mustAtoi reads a year already checked against the page's list.
func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
