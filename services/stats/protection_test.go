package stats

import (
	"fmt"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
)

func withProtection(e facts.Event, status string) facts.Event {
	e.ProtectionStatus = status
	return e
}

// The international-protection status coded at registration is counted by
// status and age group, on both engines; a case registered without one,
// or with a code outside the list, counts as unknown. A later registration
// event of the same case with another status moves it.
func TestProtectionStatusTable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, unprotected)
		const m = "2026-11"
		var es []facts.Event
		for i := range 6 {
			es = append(es, withProtection(registered(fmt.Sprintf("ref-%d", i), m, "MA-01", "female", "adult", "abroad", "ngo", "labour"), "refugee"))
		}
		for i := range 4 {
			es = append(es, withProtection(child(fmt.Sprintf("asy-%d", i), m, true, "SY"), "asylum_seeker"))
		}
		for i := range 3 {
			es = append(es, withProtection(registered(fmt.Sprintf("none-%d", i), m, "MA-02", "male", "adult", "in_country", "police", "sexual"), "none"))
		}
		es = append(es, registered("blank", m, "MA-02", "male", "adult", "in_country", "police", "sexual"),
			withProtection(registered("odd", m, "MA-02", "male", "child", "in_country", "police", "sexual"), "stateless"))
		f.send(t, es...)
		tb := f.table(t, TableCasesByProtectionAge, m)
		exact(t, tb, 6, unitCases, "refugee", "adult")
		exact(t, tb, 4, unitCases, "asylum_seeker", "child")
		exact(t, tb, 3, unitCases, "none", total)
		exact(t, tb, 2, unitCases, unknown, total)
		exact(t, tb, 1, unitCases, unknown, "child")
		exact(t, tb, 15, unitCases, total, total)
		exact(t, tb, 15, unitPersons, total, total)
		for _, c := range tb.Cells {
			if c.Dims[0] == "stateless" {
				t.Fatalf("a code outside the list is published as its own cell: %v", c.Dims)
			}
		}
	})
}
