package oversight

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/stats"
	"github.com/nrm-project/nrm/services/web/page"
)

// The commission analysts' pages: the anonymised tables, their releases,
// CSV export and the annual report. Every figure comes from the stats
// service as published (perturbed, small cells suppressed); the pages
// compute none.

// period is one choice of the period menu.
type period struct{ Code, Kind string }

// periodChoices are the periods offered: the last three years, the last
// eight quarters and the last twelve months, newest first.
func periodChoices(now time.Time) []period {
	var out []period
	y, m := now.Year(), int(now.Month())
	for i := range 3 {
		out = append(out, period{strconv.Itoa(y - i), "year"})
	}
	qy, qn := y, (m+2)/3
	for range 8 {
		out = append(out, period{fmt.Sprintf("%d-Q%d", qy, qn), "quarter"})
		if qn--; qn == 0 {
			qy, qn = qy-1, 4
		}
	}
	my, mm := y, m
	for range 12 {
		out = append(out, period{fmt.Sprintf("%d-%02d", my, mm), "month"})
		if mm--; mm == 0 {
			my, mm = my-1, 12
		}
	}
	return out
}

func currentQuarter(now time.Time) string {
	return fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())+2)/3)
}

// dashboardData is the dashboard: the filters, then the table as
// published, or why there is none.
type dashboardData struct {
	Tables   []stats.TableInfo
	Info     stats.TableInfo
	Period   string
	Periods  []period
	Table    stats.Table
	Slice    slice
	Chart    bars
	Problem  string // a message key: no release, withheld
	Detail   string
	CanExist bool // a release of the period can be asked for
}

// statsQuery reads the filters: table, period, chart dimension and the
// values the other dimensions are held at.
func (h *Pages) statsQuery(q *page.Request, tables []stats.TableInfo) (stats.TableInfo, string, string, map[string]string) {
	qs := q.R.URL.Query()
	info := tables[0]
	if i := slices.IndexFunc(tables, func(t stats.TableInfo) bool { return t.Name == qs.Get("table") }); i >= 0 {
		info = tables[i]
	}
	p := qs.Get("period")
	if !slices.ContainsFunc(periodChoices(h.Now()), func(x period) bool { return x.Code == p }) {
		p = currentQuarter(h.Now())
	}
	fixed := map[string]string{}
	for _, d := range info.Dimensions {
		if v := qs.Get("d." + d.Name); v != "" {
			fixed[d.Name] = v
		}
	}
	return info, p, qs.Get("by"), fixed
}

func (h *Pages) dashboard(q *page.Request) {
	if h.cfg.Stats == nil {
		h.Render(q, http.StatusServiceUnavailable, "error", &page.View{Title: "error.unavailable.title", Message: "error.unavailable.body"})
		return
	}
	ctx := q.Ctx()
	tables, err := h.cfg.Stats.Tables(ctx)
	if err != nil || len(tables) == 0 {
		h.Fail(q, err)
		return
	}
	info, p, by, fixed := h.statsQuery(q, tables)
	d := dashboardData{Tables: tables, Info: info, Period: p, Periods: periodChoices(h.Now())}
	v := (&page.View{Title: "stats.title", Data: &d}).In(q.Loc, q.S)
	t, err := h.cfg.Stats.Table(ctx, info.Name, p)
	switch code := kit.AsError(err).Code; {
	case err == nil:
		d.Table = t
		d.Slice = sliceOf(t, by, fixed)
		d.Chart = chartOf(d.Slice, q.Loc.RTL(), func(c string) string { return v.StatCode(d.Slice.By, c) },
			func(n int64) string { return v.Num64(n) }, v.T("stats.suppressed"))
	case code == "no_release":
		d.Problem, d.CanExist = "stats.norelease", true
	case code == "table_withheld":
		d.Problem, d.CanExist = "stats.withheld", true
	default:
		h.Fail(q, err)
		return
	}
	h.Render(q, http.StatusOK, "stats", v)
}

// exportCSV sends the table as the stats service publishes it in CSV,
// with the HTCDS codes: the same figures the page shows.
func (h *Pages) exportCSV(q *page.Request) {
	if h.cfg.Stats == nil {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	tables, err := h.cfg.Stats.Tables(ctx)
	if err != nil || len(tables) == 0 {
		h.Fail(q, err)
		return
	}
	info, p, _, _ := h.statsQuery(q, tables)
	t, err := h.cfg.Stats.Table(ctx, info.Name, p)
	if err != nil {
		h.Fail(q, err)
		return
	}
	b, err := stats.CSV(t)
	if err != nil {
		h.Fail(q, err)
		return
	}
	w := q.W
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s.csv"`, t.Name, t.Period, safeName(t.Release)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// safeName keeps the characters a release name may hold.
func safeName(s string) string {
	out := []byte{}
	for i := 0; i < len(s) && i < 64; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			out = append(out, c)
		}
	}
	return string(out)
}

// releasesData is the release list of a period (or of every period).
type releasesData struct {
	Releases []stats.Release
	Period   string
	Periods  []period
}

func (h *Pages) releases(q *page.Request) {
	h.renderReleases(q, http.StatusOK, &page.View{Title: "releases.title"})
}

func (h *Pages) renderReleases(q *page.Request, status int, v *page.View) {
	if h.cfg.Stats == nil {
		h.NotFound(q)
		return
	}
	p := q.R.URL.Query().Get("period")
	choices := periodChoices(h.Now())
	if !slices.ContainsFunc(choices, func(x period) bool { return x.Code == p }) {
		p = ""
	}
	rs, err := h.cfg.Stats.Releases(q.Ctx(), p)
	if err != nil {
		h.Fail(q, err)
		return
	}
	v.Data = releasesData{Releases: rs, Period: p, Periods: choices}
	h.Render(q, status, "stats_releases", v)
}

// makeRelease asks for a snapshot release of a period: provisional while
// the period is open. Release control may refuse it (too few changes).
func (h *Pages) makeRelease(q *page.Request) {
	if h.cfg.Stats == nil {
		h.NotFound(q)
		return
	}
	p := q.R.PostForm.Get("period")
	v := &page.View{Title: "releases.title", Form: q.R.PostForm}
	if !slices.ContainsFunc(periodChoices(h.Now()), func(x period) bool { return x.Code == p }) {
		v.Errors.Add("period", "field.choose")
		h.renderReleases(q, http.StatusUnprocessableEntity, v)
		return
	}
	name := "web-" + p + "-" + h.Now().UTC().Format("20060102T150405")
	_, err := h.cfg.Stats.CreateRelease(q.Ctx(), stats.ReleaseSpec{Name: name, Period: p})
	switch {
	case err == nil:
		q.S.Flash = "releases.made"
	case kit.AsError(err).Code == "release_too_small":
		q.S.Flash = "releases.toosmall"
	default:
		h.Fail(q, err)
		return
	}
	h.Save(q.W, q.S)
	switch q.R.PostForm.Get("back") {
	case "dashboard":
		page.Redirect(q, "/stats?period=%s&table=%s", p, safeName(q.R.PostForm.Get("table")))
		return
	case "report":
		page.Redirect(q, "/stats/report?year=%s", p)
		return
	}
	page.Redirect(q, "/stats/releases?period=%s", p)
}
