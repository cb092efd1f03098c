package stats

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
)

// Report implements Service: the printable annual report of a year, from
// the latest snapshot release of the year, one section per catalogue
// table: a bar chart (inline SVG) of the totals over its first dimension,
// the quarters of the year (from their own latest releases) and the same
// figures as a table; a table the release withheld is shown as withheld,
// with the reason. It names the release, the time its data is as of and
// its status, and uses no external asset. It renders the stored annual
// report (annual.go), so it shows the same figures as AnnualReport.
func (s *Stats) Report(ctx context.Context, year int) ([]byte, error) {
	r, err := s.annualReport(ctx, year)
	if err != nil {
		return nil, err
	}
	if r.Release == "" {
		// No release could be made of the closed year: too few records.
		return nil, ErrNoRelease
	}
	var sections []reportSection
	for _, sec := range r.Sections {
		if sec.Withheld != nil {
			sections = append(sections, reportSection{Title: sec.Info.Title, Withheld: withheldText(*sec.Withheld, s.policy.ReleaseMinChanges)})
			continue
		}
		out := newSection(*sec.Table)
		out.Quarters = quarterTotals(sec.Info, sec.Quarters)
		sections = append(sections, out)
	}
	if err := s.auditRead(ctx, "stats.report.read", "stats.report", r.auditID()); err != nil {
		return nil, err
	}
	asOf := "not recorded"
	if r.AsOf != nil {
		asOf = r.AsOf.Format("2006-01-02 15:04 MST")
	}
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, map[string]any{"Year": year, "Sections": sections, "Threshold": s.policy.Threshold,
		"Release": r.Release, "Status": r.Status, "AsOf": asOf, "Created": r.Created.Format("2006-01-02 15:04 MST")}); err != nil {
		return nil, fmt.Errorf("stats: report: %w", err)
	}
	return buf.Bytes(), nil
}

func withheldText(t ReleasedTable, k int) string {
	switch t.Reason {
	case ReasonTooFewChanges:
		return fmt.Sprintf("Withheld: publishing it would differ from the published figures of %s by fewer than %d cases, "+
			"which could single them out. It is published once enough records change.", t.Detail, k)
	case ReasonNotInRelease:
		return "Withheld: the release holds no figures for this table (a table added to the catalogue since the release was made)."
	}
	return "Withheld (" + t.Reason + ")."
}

// quarterTotals returns the grand total of a table (its first unit, every
// dimension at its margin) in each quarter of the series, "not released"
// or "withheld" when there is none.
func quarterTotals(info TableInfo, sr *Series) [][2]string {
	for _, d := range info.Dimensions {
		if !d.Margin {
			return nil
		}
	}
	if sr == nil {
		return nil
	}
	var out [][2]string
	for _, pt := range sr.Points {
		if pt.Table == nil {
			v := "withheld"
			if pt.Missing == "no_release" {
				v = "not released"
			}
			out = append(out, [2]string{pt.Period, v})
			continue
		}
		dims := make([]string, len(info.Dimensions))
		for i := range dims {
			dims[i] = total
		}
		c, _ := pt.Table.Find(info.Units[0], dims...)
		v := "suppressed"
		if c.Value != nil {
			v = strconv.FormatInt(*c.Value, 10)
		}
		out = append(out, [2]string{pt.Period, v})
	}
	return out
}

type reportBar struct {
	Label      string
	Text       string
	Y, W       int
	Suppressed bool
}

type reportSection struct {
	Title    string
	Withheld string
	Quarters [][2]string
	Table    Table
	Bars     []reportBar
	Height   int
	Rows     [][]string
	Header   []string
}

// newSection charts the cells of the first unit that total every
// dimension but the first.
func newSection(t Table) reportSection {
	sec := reportSection{Title: t.Title, Table: t, Header: append(append([]string{"unit"}, t.Dimensions...), "value")}
	var maxV int64 = 1
	var chosen []Cell
	for _, c := range t.Cells {
		if c.Unit != t.Units[0] || c.Dims[0] == total {
			continue
		}
		rest := c.Dims[1:]
		if slices.ContainsFunc(rest, func(v string) bool { return v != total }) && len(t.Cells) > 0 && hasMargins(t) {
			continue
		}
		chosen = append(chosen, c)
		if c.Value != nil {
			maxV = max(maxV, *c.Value)
		}
	}
	for i, c := range chosen {
		b := reportBar{Label: c.Dims[0], Y: i * 22, Suppressed: c.Value == nil}
		if c.Value != nil {
			b.W = int(*c.Value * 400 / maxV)
			b.Text = strconv.FormatInt(*c.Value, 10)
		} else {
			b.Text = "suppressed"
		}
		sec.Bars = append(sec.Bars, b)
	}
	sec.Height = len(sec.Bars)*22 + 4
	for _, c := range t.Cells {
		row := []string{c.Unit}
		for _, v := range c.Dims {
			if v == total {
				v = "total"
			}
			row = append(row, v)
		}
		switch {
		case c.Value != nil:
			row = append(row, strconv.FormatInt(*c.Value, 10))
		default:
			row = append(row, "suppressed")
		}
		if c.Median != nil {
			row[len(row)-1] += " (median " + strconv.FormatFloat(*c.Median, 'f', -1, 64) + ")"
		}
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}

func hasMargins(t Table) bool {
	for _, c := range t.Cells {
		if slices.Contains(c.Dims, total) {
			return true
		}
	}
	return false
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"title": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>National referral mechanism: statistics {{.Year}}</title>
<style>
body{font-family:serif;max-width:60em;margin:2em auto;color:#111}
table{border-collapse:collapse;font-size:.8em;margin:1em 0}td,th{border:1px solid #999;padding:.15em .4em}
.sup{color:#777;font-style:italic}section{page-break-inside:avoid}
@media print{section{page-break-before:always}}
</style></head><body>
<h1>National referral mechanism: statistics {{.Year}}</h1>
<p>Release <strong>{{.Release}}</strong>, made {{.Created}}, data as of {{.AsOf}}: <strong>{{.Status}}</strong>{{if eq .Status "provisional"}}
(the year was still open when it was released; later releases will add what arrived since){{end}}.</p>
<p>Every figure is perturbed by the cell-key method; cells whose perturbed value is below {{.Threshold}} are
suppressed. Totals are perturbed on their own records and may differ from the sum of their parts.</p>
{{range .Sections}}<section><h2>{{.Title}}</h2>
{{if .Withheld}}<p class="sup">{{.Withheld}}</p>{{else}}
{{if .Bars}}<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{{.Height}}" role="img" aria-label="{{.Table.Title}}">
{{range .Bars}}<text x="0" y="{{.Y}}" dy="15" font-size="12">{{title .Label}}</text>
{{if .Suppressed}}<text x="200" y="{{.Y}}" dy="15" font-size="12" fill="#777">suppressed</text>
{{else}}<rect x="200" y="{{.Y}}" width="{{.W}}" height="18" fill="#3a6ea5"></rect><text x="{{.W}}" y="{{.Y}}" dx="205" dy="15" font-size="12">{{.Text}}</text>{{end}}
{{end}}</svg>{{end}}
<table><thead><tr>{{range .Header}}<th>{{title .}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{if .Quarters}}<table><caption>Total by quarter</caption><tbody><tr>{{range .Quarters}}<th>{{index . 0}}</th>{{end}}</tr>
<tr>{{range .Quarters}}<td>{{index . 1}}</td>{{end}}</tr></tbody></table>{{end}}{{end}}</section>
{{end}}</body></html>
`))
