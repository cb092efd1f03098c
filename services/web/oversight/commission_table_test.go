package oversight

import (
	"testing"

	"github.com/nrm-project/nrm/services/stats"
)

func n(v int64) *int64 { return &v }

func cellsTable() stats.Table {
	t := stats.Table{Name: "cases_by_age_location", Units: []string{"cases", "persons"},
		Dimensions: []string{"age_group", "exploitation_location"}, Threshold: 5, Release: "r1", Status: "provisional"}
	for _, u := range t.Units {
		for _, a := range []string{"child", "adult", "*"} {
			for _, l := range []string{"abroad", "*"} {
				c := stats.Cell{Unit: u, Dims: []string{a, l}, Suppressed: true}
				switch {
				case a == "adult" || a == "*":
					c = stats.Cell{Unit: u, Dims: []string{a, l}, Value: n(13)}
				}
				t.Cells = append(t.Cells, c)
			}
		}
	}
	return t
}

// In Arabic the bars grow from the right; a suppressed cell has no bar.
func TestChartReadsFromTheRightInArabic(t *testing.T) {
	s := sliceOf(cellsTable(), "age_group", nil)
	id := func(c string) string { return c }
	num := func(v int64) string { return "n" }
	ltr, rtl := chartOf(s, false, id, num, "sup"), chartOf(s, true, id, num, "sup")
	if len(ltr.Rows) != 2 || len(rtl.Rows) != 2 {
		t.Fatalf("bars: %d %d, want child and adult (no total)", len(ltr.Rows), len(rtl.Rows))
	}
	if b := ltr.Rows[0]; !b.Figure.Suppressed || b.W != 0 || b.Text != "sup" {
		t.Errorf("suppressed bar: %+v", b)
	}
	if l, r := ltr.Rows[1], rtl.Rows[1]; l.BarX != 0 || r.BarX+r.W != chartWidth || r.LabelX != chartWidth || r.ValX >= r.BarX {
		t.Errorf("adult bar: ltr %+v, rtl %+v", l, r)
	}
}
