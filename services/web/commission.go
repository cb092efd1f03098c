package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/stats"
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
func (h *Handler) statsQuery(q *request, tables []stats.TableInfo) (stats.TableInfo, string, string, map[string]string) {
	qs := q.r.URL.Query()
	info := tables[0]
	if i := slices.IndexFunc(tables, func(t stats.TableInfo) bool { return t.Name == qs.Get("table") }); i >= 0 {
		info = tables[i]
	}
	p := qs.Get("period")
	if !slices.ContainsFunc(periodChoices(h.cfg.Now()), func(x period) bool { return x.Code == p }) {
		p = currentQuarter(h.cfg.Now())
	}
	fixed := map[string]string{}
	for _, d := range info.Dimensions {
		if v := qs.Get("d." + d.Name); v != "" {
			fixed[d.Name] = v
		}
	}
	return info, p, qs.Get("by"), fixed
}

func (h *Handler) dashboard(q *request) {
	if h.cfg.Stats == nil {
		h.render(q, http.StatusServiceUnavailable, "error", &view{Title: "error.unavailable.title", Message: "error.unavailable.body"})
		return
	}
	ctx := q.ctx()
	tables, err := h.cfg.Stats.Tables(ctx)
	if err != nil || len(tables) == 0 {
		h.fail(q, err)
		return
	}
	info, p, by, fixed := h.statsQuery(q, tables)
	d := dashboardData{Tables: tables, Info: info, Period: p, Periods: periodChoices(h.cfg.Now())}
	v := &view{Title: "stats.title", Data: &d, loc: q.loc}
	t, err := h.cfg.Stats.Table(ctx, info.Name, p)
	switch code := kit.AsError(err).Code; {
	case err == nil:
		d.Table = t
		d.Slice = sliceOf(t, by, fixed)
		d.Chart = chartOf(d.Slice, q.loc.dir == "rtl", func(c string) string { return v.StatCode(d.Slice.By, c) },
			func(n int64) string { return v.Num64(n) }, v.T("stats.suppressed"))
	case code == "no_release":
		d.Problem, d.CanExist = "stats.norelease", true
	case code == "table_withheld":
		d.Problem, d.CanExist = "stats.withheld", true
	default:
		h.fail(q, err)
		return
	}
	h.render(q, http.StatusOK, "stats", v)
}

// exportCSV sends the table as the stats service publishes it in CSV,
// with the HTCDS codes: the same figures the page shows.
func (h *Handler) exportCSV(q *request) {
	if h.cfg.Stats == nil {
		h.notFound(q)
		return
	}
	ctx := q.ctx()
	tables, err := h.cfg.Stats.Tables(ctx)
	if err != nil || len(tables) == 0 {
		h.fail(q, err)
		return
	}
	info, p, _, _ := h.statsQuery(q, tables)
	t, err := h.cfg.Stats.Table(ctx, info.Name, p)
	if err != nil {
		h.fail(q, err)
		return
	}
	b, err := stats.CSV(t)
	if err != nil {
		h.fail(q, err)
		return
	}
	w := q.w
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

func (h *Handler) releases(q *request) {
	h.renderReleases(q, http.StatusOK, &view{Title: "releases.title"})
}

func (h *Handler) renderReleases(q *request, status int, v *view) {
	if h.cfg.Stats == nil {
		h.notFound(q)
		return
	}
	p := q.r.URL.Query().Get("period")
	choices := periodChoices(h.cfg.Now())
	if !slices.ContainsFunc(choices, func(x period) bool { return x.Code == p }) {
		p = ""
	}
	rs, err := h.cfg.Stats.Releases(q.ctx(), p)
	if err != nil {
		h.fail(q, err)
		return
	}
	v.Data = releasesData{Releases: rs, Period: p, Periods: choices}
	h.render(q, status, "stats_releases", v)
}

// makeRelease asks for a snapshot release of a period: provisional while
// the period is open. Release control may refuse it (too few changes).
func (h *Handler) makeRelease(q *request) {
	if h.cfg.Stats == nil {
		h.notFound(q)
		return
	}
	p := q.r.PostForm.Get("period")
	v := &view{Title: "releases.title", Form: q.r.PostForm}
	if !slices.ContainsFunc(periodChoices(h.cfg.Now()), func(x period) bool { return x.Code == p }) {
		v.Errors.add("period", "field.choose")
		h.renderReleases(q, http.StatusUnprocessableEntity, v)
		return
	}
	name := "web-" + p + "-" + h.cfg.Now().UTC().Format("20060102T150405")
	_, err := h.cfg.Stats.CreateRelease(q.ctx(), stats.ReleaseSpec{Name: name, Period: p})
	switch {
	case err == nil:
		q.s.Flash = "releases.made"
	case kit.AsError(err).Code == "release_too_small":
		q.s.Flash = "releases.toosmall"
	default:
		h.fail(q, err)
		return
	}
	h.save(q.w, q.s)
	switch q.r.PostForm.Get("back") {
	case "dashboard":
		redirect(q, "/stats?period=%s&table=%s", p, safeName(q.r.PostForm.Get("table")))
		return
	case "report":
		redirect(q, "/stats/report?year=%s", p)
		return
	}
	redirect(q, "/stats/releases?period=%s", p)
}
