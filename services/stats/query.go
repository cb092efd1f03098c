package stats

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Methods of disclosure control, as named in answers.
const (
	MethodCellKey = "cell_key"
	MethodDP      = "differential_privacy"
)

// Table is a published table. Cells list every combination of the units
// and dimension codes (plus "*", the total, on dimensions with a margin).
type Table struct {
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	Period     string   `json:"period"`
	Method     string   `json:"method"`
	Units      []string `json:"units"`
	Dimensions []string `json:"dimensions"`
	Median     string   `json:"median,omitempty"`
	Threshold  int      `json:"threshold,omitempty"`
	Release    string   `json:"release,omitempty"`
	// AsOf is when the data of the figures last changed before they were
	// computed; Status is the serving release's (provisional or final).
	AsOf   *time.Time `json:"as_of,omitempty"`
	Status string     `json:"status,omitempty"`
	// CarriedFrom names the release that first published these figures,
	// when a later release carried them forward unchanged.
	CarriedFrom string  `json:"carried_from,omitempty"`
	Epsilon     float64 `json:"epsilon,omitempty"`
	Cells       []Cell  `json:"cells"`
}

// Cell is one published cell. A suppressed cell carries no value; a value
// of 0 is shown only for a cell that cannot hold records by definition.
type Cell struct {
	Unit             string   `json:"unit"`
	Dims             []string `json:"dims"`
	Value            *int64   `json:"value,omitempty"`
	Suppressed       bool     `json:"suppressed,omitempty"`
	Median           *float64 `json:"median,omitempty"`
	MedianSuppressed bool     `json:"median_suppressed,omitempty"`
	Share            *float64 `json:"share_within_target,omitempty"`
}

// Find returns the cell of unit with the given dimension values.
func (t Table) Find(unit string, dims ...string) (Cell, bool) {
	for _, c := range t.Cells {
		if c.Unit == unit && slices.Equal(c.Dims, dims) {
			return c, true
		}
	}
	return Cell{}, false
}

// structurallyEmpty lists cells that cannot hold a record by definition;
// only these are published as 0. Children cannot withdraw from the NRM.
func structurallyEmpty(table string, dims []string) bool {
	return table == TableDecisionsOutcomeAge && dims[0] == "withdrawn" && dims[1] == "child"
}

// grid returns every (unit, dims) cell of a table: each dimension's codes,
// values seen in the stored cells, and the margin.
func grid(info TableInfo, stored map[string]bool) [][]string {
	seen := make([]map[string]bool, len(info.Dimensions))
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	for cell := range stored {
		parts := strings.Split(cell, cellSep)
		if len(parts) != len(info.Dimensions)+1 {
			continue
		}
		for i, v := range parts[1:] {
			seen[i][v] = true
		}
	}
	out := [][]string{}
	for _, u := range info.Units {
		out = append(out, []string{u})
	}
	for i, d := range info.Dimensions {
		vals := slices.Clone(d.Codes)
		extra := []string{}
		for v := range seen[i] {
			if v != total && !slices.Contains(vals, v) {
				extra = append(extra, v)
			}
		}
		slices.Sort(extra)
		vals = append(vals, extra...)
		if d.Margin {
			vals = append(vals, total)
		}
		next := make([][]string, 0, len(out)*len(vals))
		for _, prefix := range out {
			for _, v := range vals {
				next = append(next, append(slices.Clone(prefix), v))
			}
		}
		out = next
	}
	return out
}

func dimNames(info TableInfo) []string {
	out := make([]string, len(info.Dimensions))
	for i, d := range info.Dimensions {
		out[i] = d.Name
	}
	return out
}

// cellKeyTable builds a table from the aggregates: each cell's count and
// cell key give its perturbed value; no fact is read.
func (s *Stats) cellKeyTable(ctx context.Context, q queryer, info TableInfo, period string) (Table, error) {
	rows, hist, err := readCells(ctx, q, info.Name, period, info.Median != "")
	if err != nil {
		return Table{}, err
	}
	if info.Name == TableCasesByNationality {
		top := topNationalities(s.policy, rows)
		rows, info = groupNationalities(rows, top), withNationalities(info, top)
	}
	stored := make(map[string]cellRow, len(rows))
	present := make(map[string]bool, len(rows))
	for _, r := range rows {
		stored[r.Cell] = r
		present[r.Cell] = true
	}
	t := Table{Name: info.Name, Title: info.Title, Period: period, Method: MethodCellKey, Units: info.Units,
		Dimensions: dimNames(info), Median: info.Median, Threshold: s.policy.Threshold}
	for _, g := range grid(info, present) {
		c := Cell{Unit: g[0], Dims: g[1:]}
		if structurallyEmpty(info.Name, c.Dims) {
			zero := int64(0)
			c.Value = &zero
			t.Cells = append(t.Cells, c)
			continue
		}
		key := strings.Join(g, cellSep)
		r := stored[key]
		p := s.policy.Publish(r.N, r.KeySum)
		if p.Suppressed {
			c.Suppressed = true
		} else {
			v := p.Value
			c.Value = &v
		}
		if medianCell(info.Name, c) {
			if h := hist[key]; !p.Suppressed && p.Value >= int64(s.policy.MedianMinCount) && len(h) > 0 {
				m := median(h)
				c.Median = &m
			} else {
				c.MedianSuppressed = true
			}
		}
		t.Cells = append(t.Cells, c)
	}
	if hasShares(info.Name) {
		addShares(&t)
	}
	return t, nil
}

// hasShares says whether a table shows the share of decisions within
// target.
func hasShares(table string) bool {
	return table == TableDecisionTimeliness || table == TableDecisionTimesAge
}

// medianCell says whether a cell carries a median: decisions in the
// timeliness table, accepted referrals in the acceptance table.
func medianCell(table string, c Cell) bool {
	switch table {
	case TableDecisionTimeliness, TableDecisionTimesAge:
		return c.Unit == unitDecisions
	case TableReferralAcceptance:
		return c.Dims[2] == "accepted"
	}
	return false
}

// addShares sets the share of decisions within target from the two
// published counts, when both are published.
func addShares(t *Table) {
	for i, c := range t.Cells {
		if c.Unit != unitDecisions || c.Value == nil || *c.Value == 0 {
			continue
		}
		w, ok := t.Find(unitInTarget, c.Dims...)
		if !ok || w.Value == nil {
			continue
		}
		share := min(float64(*w.Value)/float64(*c.Value), 1)
		t.Cells[i].Share = &share
	}
}

// median returns the median of a histogram (the mean of the two middle
// values for an even count).
func median(h map[int]int64) float64 {
	vals := make([]int, 0, len(h))
	var n int64
	for v, c := range h {
		vals = append(vals, v)
		n += c
	}
	slices.Sort(vals)
	at := func(i int64) int {
		for _, v := range vals {
			if i < h[v] {
				return v
			}
			i -= h[v]
		}
		return vals[len(vals)-1]
	}
	if n%2 == 1 {
		return float64(at(n / 2))
	}
	return float64(at(n/2-1)+at(n/2)) / 2
}
