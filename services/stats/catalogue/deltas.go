package catalogue

import (
	"fmt"
	"strconv"
)

// CellID names an aggregate row (table cells).
type CellID struct{ Table, Period, Cell string }

// HistID names a histogram row (table cell_values): a cell and a value.
type HistID struct {
	CellID
	Value int
}

// CellDelta is the change to a cell: its count, and its cell key.
type CellDelta struct {
	N   int64
	Key uint32 // added mod 2^32
}

// ChangeID names a case whose records in a table and month changed.
type ChangeID struct{ Table, Month, Subject string }

// Deltas accumulates changes to aggregate rows over a batch, and which
// cases they concern (for release control); the receiver writes them. Changes are kept by month
// (the Period of their ids) and added to the month's quarter and year only
// when written (ByPeriod): a batch's parts mostly share a few months, so
// each part costs one map update instead of three.
type Deltas struct {
	cells   map[CellID]CellDelta
	hist    map[HistID]int64
	changed map[ChangeID]bool
}

// NewDeltas returns empty Deltas.
func NewDeltas() *Deltas {
	return &Deltas{cells: map[CellID]CellDelta{}, hist: map[HistID]int64{}, changed: map[ChangeID]bool{}}
}

// Add adds (sign +1) or removes (-1) one record's part of a cell.
func (d *Deltas) Add(c Contribution, sign int64) {
	d.changed[ChangeID{c.Table, c.Month, c.Subject}] = true
	id := CellID{c.Table, c.Month, c.Cell}
	x := d.cells[id]
	x.N += sign
	if sign > 0 {
		x.Key += c.Key
	} else {
		x.Key -= c.Key
	}
	d.cells[id] = x
	if c.Value >= 0 {
		d.hist[HistID{id, c.Value}] += sign
	}
}

// ByPeriod returns the changes of every period the months' changes fall
// in: the month, its quarter and its year (PeriodsOf).
func (d *Deltas) ByPeriod() (map[CellID]CellDelta, map[HistID]int64) {
	periods := map[string][]string{}
	of := func(month string) []string {
		p, ok := periods[month]
		if !ok {
			p = PeriodsOf(month)
			periods[month] = p
		}
		return p
	}
	cells := make(map[CellID]CellDelta, 3*len(d.cells))
	for id, x := range d.cells {
		for _, p := range of(id.Period) {
			k := CellID{id.Table, p, id.Cell}
			y := cells[k]
			y.N += x.N
			y.Key += x.Key
			cells[k] = y
		}
	}
	hist := make(map[HistID]int64, 3*len(d.hist))
	for id, n := range d.hist {
		for _, p := range of(id.Period) {
			hist[HistID{CellID{id.Table, p, id.Cell}, id.Value}] += n
		}
	}
	return cells, hist
}

// Changed returns the cases whose records changed, by table and month.
func (d *Deltas) Changed() map[ChangeID]bool { return d.changed }

// Diff records the change from the parts before to the parts after.
func (d *Deltas) Diff(before, after map[ContribKey]Contribution) {
	for k, b := range before {
		if a, ok := after[k]; ok && a == b {
			continue
		}
		d.Add(b, -1)
	}
	for k, a := range after {
		if b, ok := before[k]; ok && a == b {
			continue
		}
		d.Add(a, +1)
	}
}

// PeriodsOf returns the month, quarter and year a month belongs to: every
// fact is added to the aggregates of all three, so any period is one
// range read.
func PeriodsOf(month string) []string {
	if !IsMonth(month) {
		return nil
	}
	m, _ := strconv.Atoi(month[5:7])
	return []string{month, fmt.Sprintf("%s-Q%d", month[:4], (m+2)/3), month[:4]}
}

// IsMonth matches YYYY-MM. The receiver checks every field of every event
// it receives; as a regular expression this check cost more than decoding
// the event.
func IsMonth(s string) bool {
	if len(s) != 7 || s[4] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; i != 4 && (c < '0' || c > '9') {
			return false
		}
	}
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	return m >= 1 && m <= 12
}
