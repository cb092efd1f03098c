package oversight

import (
	"context"
	"slices"
	"strings"

	"github.com/nrm-project/nrm/services/stats"
	"github.com/nrm-project/nrm/services/web/page"
)

// Stats is what the analysts' pages need of the statistics service;
// stats.Service satisfies it.
type Stats interface {
	Tables(ctx context.Context) ([]stats.TableInfo, error)
	Table(ctx context.Context, name, period string) (stats.Table, error)
	CreateRelease(ctx context.Context, spec stats.ReleaseSpec) (stats.Release, error)
	Releases(ctx context.Context, period string) ([]stats.Release, error)
	Series(ctx context.Context, name, from, to string) (stats.Series, error)
	AnnualReport(ctx context.Context, year int) (stats.AnnualReport, error)
}

var _ Stats = stats.Service(nil)

// statsTotal is the code of a margin (page.StatsTotal).
const statsTotal = page.StatsTotal

// figure is one published cell as a page shows it: a value, or
// suppressed, never a zero standing in for a suppressed cell. Key names
// the cell (unit and dimension values) for the page's tests and readers.
type figure struct {
	Key        string
	Value      *int64
	Suppressed bool
	Missing    bool // no such cell in the table
	Median     *float64
	MedSupp    bool
	Share      *float64
}

func figureOf(c stats.Cell, ok bool) figure {
	if !ok {
		return figure{Missing: true}
	}
	return figure{Key: cellKey(c.Unit, c.Dims), Value: c.Value, Suppressed: c.Suppressed || c.Value == nil,
		Median: c.Median, MedSupp: c.MedianSuppressed, Share: c.Share}
}

func cellKey(unit string, dims []string) string { return unit + "|" + strings.Join(dims, "|") }

// slice is a two-way view of a table: one row per value of the chosen
// dimension, the other dimensions held at the chosen values, one column
// per unit.
type slice struct {
	By     string   // the dimension of the rows
	Fixed  []fixDim // the other dimensions and the value each is held at
	Units  []string
	Rows   []sliceRow
	Median bool
	Shares bool
}

type fixDim struct {
	Name, Value string
	Values      []string
}

type sliceRow struct {
	Code    string
	Figures []figure // one per unit
}

// sliceOf cuts t along by, holding every other dimension at fixed[name]
// (its total when it has one, else its first value, by default).
func sliceOf(t stats.Table, by string, fixed map[string]string) slice {
	bi := slices.Index(t.Dimensions, by)
	if bi < 0 && len(t.Dimensions) > 0 {
		bi, by = 0, t.Dimensions[0]
	}
	values := make([][]string, len(t.Dimensions))
	for _, c := range t.Cells {
		for i, v := range c.Dims {
			if !slices.Contains(values[i], v) {
				values[i] = append(values[i], v)
			}
		}
	}
	s := slice{By: by, Units: t.Units, Median: t.Median != ""}
	at := make([]string, len(t.Dimensions))
	for i, d := range t.Dimensions {
		if i == bi {
			continue
		}
		v := fixed[d]
		if !slices.Contains(values[i], v) {
			v = values[i][0]
			if slices.Contains(values[i], statsTotal) {
				v = statsTotal
			}
		}
		at[i] = v
		s.Fixed = append(s.Fixed, fixDim{Name: d, Value: v, Values: values[i]})
	}
	if bi < 0 {
		return s
	}
	for _, code := range values[bi] {
		at[bi] = code
		r := sliceRow{Code: code}
		for _, u := range t.Units {
			f := figureOf(t.Find(u, at...))
			if f.Share != nil {
				s.Shares = true
			}
			r.Figures = append(r.Figures, f)
		}
		s.Rows = append(s.Rows, r)
	}
	return s
}

// bars is the chart of a slice's first unit: one bar per value of the
// dimension (not the total), scaled to the largest published value.
type bars struct {
	Title  string
	Rows   []bar
	Height int
	Width  int
	RTL    bool
}

type bar struct {
	Label      string
	Figure     figure
	Text       string
	W          int
	LabelX     int
	BarX, ValX int
	LY, BY, VY int // baselines of the label and figure, top of the bar
}

const (
	chartWidth = 320 // SVG user units; the SVG scales to the page (about 1:1 on a phone)
	chartRow   = 44
	chartMax   = 250 // the longest bar, leaving room for its figure
)

// chartOf draws s's first unit; label translates a code and num formats
// a figure.
func chartOf(s slice, rtl bool, label func(string) string, num func(int64) string, suppressed string) bars {
	b := bars{Width: chartWidth, RTL: rtl}
	var top int64 = 1
	for _, r := range s.Rows {
		if r.Code != statsTotal && len(r.Figures) > 0 && r.Figures[0].Value != nil {
			top = max(top, *r.Figures[0].Value)
		}
	}
	for _, r := range s.Rows {
		if r.Code == statsTotal || len(r.Figures) == 0 || r.Figures[0].Missing {
			continue
		}
		f := r.Figures[0]
		y := len(b.Rows) * chartRow
		x := bar{Label: label(r.Code), Figure: f, LY: y + 14, BY: y + 20, VY: y + 33}
		if f.Value != nil {
			x.W = int(*f.Value * chartMax / top)
			if *f.Value > 0 {
				x.W = max(x.W, 2)
			}
			x.Text = num(*f.Value)
		} else {
			x.Text = suppressed
		}
		// The same design read from the right in Arabic: bars grow from
		// the right edge, the figure follows the bar's end.
		x.BarX, x.ValX = 0, x.W+6
		if rtl {
			x.LabelX, x.BarX, x.ValX = chartWidth, chartWidth-x.W, chartWidth-x.W-6
		}
		b.Rows = append(b.Rows, x)
	}
	b.Height = len(b.Rows)*chartRow + 4
	return b
}
