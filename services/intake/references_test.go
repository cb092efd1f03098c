package intake

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Concurrent registrations get distinct references, numbered densely per
// year from 1 (no number taken for nobody), and the counter ends at the
// count handed out.
func TestReferencesConcurrentAreDensePerYear(t *testing.T) {
	const callers, each = 24, 10
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := dbtest.Open(t, e, "intake")
		r := &references{db: d}
		var (
			mu   sync.Mutex
			got  = map[int][]string{}
			wg   sync.WaitGroup
			errs = make(chan error, callers)
		)
		for c := range callers {
			wg.Go(func() {
				for i := range each {
					year := 2026 + (c+i)%2
					ref, err := r.Next(year)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					got[year] = append(got[year], ref)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for year, refs := range got {
			slices.Sort(refs)
			for i, ref := range refs {
				if want := fmt.Sprintf("NRM-%04d-%06d", year, i+1); ref != want {
					t.Fatalf("year %d: reference %d is %s, want %s (all: %v)", year, i, ref, want, refs)
				}
			}
			var last int
			if err := d.QueryRow(`SELECT last FROM reference_seq WHERE year = $1`, year).Scan(&last); err != nil || last != len(refs) {
				t.Fatalf("year %d: counter %d (%v), want %d", year, last, err, len(refs))
			}
		}
		if n := len(got[2026]) + len(got[2027]); n != callers*each {
			t.Fatalf("%d references, want %d", n, callers*each)
		}
	})
}
