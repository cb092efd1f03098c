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
	ctx := q.Ctx()
	tables, err := h.cfg.Stats.Tables(ctx)
	if err != nil {
		h.Fail(q, err)
		return
	}
	// Each table and its quarters are audited reads: asked for together,
	// their audit records share commits instead of waiting in turn.
	type answer struct {
		t         stats.Table
		sr        stats.Series
		err, serr error
	}
	answers := make([]answer, len(tables))
	page.EachTogether(len(tables), func(i int) {
		a := &answers[i]
		if a.t, a.err = h.cfg.Stats.Table(ctx, tables[i].Name, d.Year); a.err == nil {
			a.sr, a.serr = h.cfg.Stats.Series(ctx, tables[i].Name, d.Year+"-Q1", d.Year+"-Q4")
		}
	})
	var released []stats.ReleasedTable
	for i, info := range tables {
		t, err := answers[i].t, answers[i].err
		switch code := kit.AsError(err).Code; {
		case err == nil:
		case code == "no_release":
			d.Problem, d.Sections = "stats.norelease", nil
			h.Render(q, http.StatusOK, "stats_report", v)
			return
		case code == "table_withheld":
			if released == nil {
				if released, err = h.releasedTables(q, d.Year); err != nil {
					h.Fail(q, err)
					return
				}
			}
			w := stats.ReleasedTable{Table: info.Name, Status: stats.StatusWithheld}
			if i := slices.IndexFunc(released, func(r stats.ReleasedTable) bool { return r.Table == info.Name }); i >= 0 {
				w = released[i]
			}
			d.Sections = append(d.Sections, reportSection{Info: info, Withheld: &w})
			continue
		default:
			h.Fail(q, err)
			return
		}
		if d.Release.Release == "" {
			d.Release = t
		}
		s := sliceOf(t, "", nil)
		sec := reportSection{Info: info, Table: t, Slice: s,
			Chart: chartOf(s, q.Loc.RTL(), func(c string) string { return v.StatCode(s.By, c) },
				func(n int64) string { return v.Num64(n) }, v.T("stats.suppressed"))}
		if answers[i].serr != nil {
			h.Fail(q, answers[i].serr)
			return
		}
		sec.Trend = trendOf(answers[i].sr)
		d.Sections = append(d.Sections, sec)
	}
	h.Render(q, http.StatusOK, "stats_report", v)
}

// releasedTables is what the latest snapshot release of period did with
// each table.
func (h *Pages) releasedTables(q *page.Request, period string) ([]stats.ReleasedTable, error) {
	rs, err := h.cfg.Stats.Releases(q.Ctx(), period)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.Method == stats.MethodCellKey && r.Period == period {
			return r.Tables, nil
		}
	}
	return []stats.ReleasedTable{}, nil
}
