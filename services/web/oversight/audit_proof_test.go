package oversight

import (
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/audit"
)

// leaves is a log of n events and its stored hashes.
func leaves(t *testing.T, n int) ([]audit.Entry, []tlog.Hash) {
	t.Helper()
	var (
		entries []audit.Entry
		hashes  []tlog.Hash
	)
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i := range n {
		e := audit.Entry{Index: int64(i), Audit: event.Audit{ID: "e", Time: time.Date(2026, 11, 20, 9, 0, i, 0, time.UTC),
			Action: "intake.case.read", ObjectType: "case", ObjectID: "c-1", Outcome: event.Allowed, Source: "intake", Seq: int64(i + 1)}}
		hs, err := tlog.StoredHashes(int64(i), audit.LeafData(e.Audit), r)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
		entries = append(entries, e)
	}
	return entries, hashes
}

func TestSiblingSidesMatchTlog(t *testing.T) {
	for size := int64(1); size <= 70; size++ {
		entries, hashes := leaves(t, int(size))
		r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				out[i] = hashes[x]
			}
			return out, nil
		})
		root, _ := tlog.TreeHash(size, r)
		for n := int64(0); n < size; n++ {
			p, _ := tlog.ProveRecord(size, n, r)
			cur := audit.LeafHash(entries[n].Audit)
			sides := siblingSides(size, n)
			if len(sides) != len(p) {
				t.Fatalf("size %d leaf %d: %d sides, %d hashes", size, n, len(sides), len(p))
			}
			for i, s := range p {
				if sides[i] {
					cur = tlog.NodeHash(s, cur)
				} else {
					cur = tlog.NodeHash(cur, s)
				}
			}
			if cur != root {
				t.Fatalf("size %d leaf %d: the steps do not lead to the root", size, n)
			}
		}
	}
}
