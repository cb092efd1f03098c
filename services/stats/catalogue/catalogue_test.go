package catalogue

import (
	"maps"
	"slices"
	"testing"
)

func TestPeriodsOf(t *testing.T) {
	t.Parallel()
	if got := PeriodsOf("2026-11"); !slices.Equal(got, []string{"2026-11", "2026-Q4", "2026"}) {
		t.Errorf("PeriodsOf = %v", got)
	}
	if got := PeriodsOf("2026-13"); got != nil {
		t.Errorf("PeriodsOf of no month = %v", got)
	}
}

// A component's cells depend on its facts only, not on the order of its
// cases or links; two linked cases are one person, counted under the case
// identified first; the same facts before and after change nothing.
func TestContributionsIgnoreOrder(t *testing.T) {
	t.Parallel()
	a := CaseFact{Key: "a", RecordKey: 1, Registered: true, IdentifiedMonth: "2026-11", AgeGroup: "adult", Types: []string{"labour"}}
	b := CaseFact{Key: "b", RecordKey: 2, Registered: true, IdentifiedMonth: "2026-10", AgeGroup: "child", Types: []string{"sexual"}}
	x := Contributions(Component{Cases: []CaseFact{a, b}, Links: [][2]string{{"a", "b"}}}, 3)
	y := Contributions(Component{Cases: []CaseFact{b, a}, Links: [][2]string{{"b", "a"}}}, 3)
	if len(x) == 0 || !maps.Equal(x, y) {
		t.Fatalf("the order of the facts changed the cells: %d vs %d parts", len(x), len(y))
	}
	var persons []string
	for k := range x {
		if k.Table == TableCasesByAgeLocation && k.Cell == UnitPersons+CellSep+Total+CellSep+Total {
			persons = append(persons, k.Record)
		}
	}
	if !slices.Equal(persons, []string{"p:b"}) {
		t.Errorf("persons counted under %v, want the earlier case b once", persons)
	}
	d := NewDeltas()
	d.Diff(x, y)
	if len(d.Changed()) != 0 {
		t.Errorf("equal facts made %d changes", len(d.Changed()))
	}
}
