package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Concurrent registrations get distinct references, numbered densely per
// year from 1, and once the reserved numbers are given back the counter
// ends at the count handed out.
func TestReferencesConcurrentAreDensePerYear(t *testing.T) {
	t.Parallel()
	const callers, each = 24, 10
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := dbtest.Open(t, e, "intake")
		r := &References{db: d}
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
		if err := r.Release(context.Background()); err != nil {
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

// Numbers come one at a time without reserving any; a group reserves
// refReserve more, which the next groups use up before a statement. A
// release gives back only what no other process has passed.
func TestReferencesReserveUnderLoad(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		d := dbtest.Open(t, e, "intake")
		ctx := context.Background()
		counter := func() int64 {
			t.Helper()
			var last int64
			if err := d.QueryRow(`SELECT last FROM reference_seq WHERE year = 2026`).Scan(&last); err != nil {
				t.Fatal(err)
			}
			return last
		}
		serve := func(r *References, n int) []string {
			t.Helper()
			batch := make([]*referenceRequest, n)
			for i := range batch {
				batch[i] = &referenceRequest{year: 2026}
			}
			if err := r.serve(batch); err != nil {
				t.Fatal(err)
			}
			out := make([]string, n)
			for i, q := range batch {
				if q.err != nil {
					t.Fatal(q.err)
				}
				out[i] = q.ref
			}
			return out
		}
		a := &References{db: d}
		if got := serve(a, 1); got[0] != "NRM-2026-000001" || counter() != 1 {
			t.Fatalf("alone: %v, counter %d; want NRM-2026-000001 and 1", got, counter())
		}
		if got := serve(a, 2); !slices.Equal(got, []string{"NRM-2026-000002", "NRM-2026-000003"}) || counter() != 3+refReserve {
			t.Fatalf("group: %v, counter %d; want 2 and 3, counter %d", got, counter(), 3+refReserve)
		}
		if got := serve(a, 1); got[0] != "NRM-2026-000004" || counter() != 3+refReserve {
			t.Fatalf("after the group: %v, counter %d; want NRM-2026-000004 from the reserve", got, counter())
		}
		if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if c := counter(); c != 4 {
			t.Fatalf("counter after release = %d, want 4", c)
		}

		// Another process takes numbers after a's reserve: a's release
		// then leaves the counter alone, and nobody hands out a number twice.
		serve(a, 2) // 5, 6; reserves 7..22
		b := &References{db: d}
		if got := serve(b, 1); got[0] != fmt.Sprintf("NRM-2026-%06d", 7+refReserve) {
			t.Fatalf("second process: %v, want the number after a's reserve", got)
		}
		if got := serve(a, 1); got[0] != "NRM-2026-000007" {
			t.Fatalf("a after b: %v, want NRM-2026-000007 from its reserve", got)
		}
		if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if c := counter(); c != 7+refReserve {
			t.Fatalf("counter after a's release = %d, want %d (b's number)", c, 7+refReserve)
		}
	})
}
