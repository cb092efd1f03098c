package stats

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
)

// Report implements Service: the printable annual report of a year, from
// the latest snapshot release of the year, one section per catalogue table
// it publishes with a bar chart (inline SVG) of the totals over its first
// dimension and the same figures as a table. It uses no external asset.
func (s *Stats) Report(ctx context.Context, year int) ([]byte, error) {
	if year < 1000 || year > 9999 {
		return nil, ErrBadYear
	}
	period := strconv.Itoa(year)
	var sections []reportSection
	for _, info := range s.tables {
		t, err := s.publishedTable(ctx, info, period)
		if errors.Is(err, ErrWithheld) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sections = append(sections, newSection(t))
	}
	if err := s.auditRead(ctx, "stats.report.read", "stats.report", period); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, map[string]any{"Year": year, "Sections": sections, "Threshold": s.policy.Threshold}); err != nil {
		return nil, fmt.Errorf("stats: report: %w", err)
	}
	return buf.Bytes(), nil
}

type reportBar struct {
	Label      string
	Text       string
	Y, W       int
	Suppressed bool
}

type reportSection struct {
	Table  Table
	Bars   []reportBar
	Height int
	Rows   [][]string
	Header []string
}

// newSection charts the cells of the first unit that total every
// dimension but the first.
func newSection(t Table) reportSection {
	sec := reportSection{Table: t, Header: append(append([]string{"unit"}, t.Dimensions...), "value")}
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
<p>Every figure is perturbed by the cell-key method; cells whose perturbed value is below {{.Threshold}} are
suppressed. Totals are perturbed on their own records and may differ from the sum of their parts.</p>
{{range .Sections}}<section><h2>{{.Table.Title}}</h2>
{{if .Bars}}<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{{.Height}}" role="img" aria-label="{{.Table.Title}}">
{{range .Bars}}<text x="0" y="{{.Y}}" dy="15" font-size="12">{{title .Label}}</text>
{{if .Suppressed}}<text x="200" y="{{.Y}}" dy="15" font-size="12" fill="#777">suppressed</text>
{{else}}<rect x="200" y="{{.Y}}" width="{{.W}}" height="18" fill="#3a6ea5"></rect><text x="{{.W}}" y="{{.Y}}" dx="205" dy="15" font-size="12">{{.Text}}</text>{{end}}
{{end}}</svg>{{end}}
<table><thead><tr>{{range .Header}}<th>{{title .}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table></section>
{{end}}</body></html>
`))
