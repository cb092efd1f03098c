package audit

import (
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// The frontier of a tree is what its tree hash is made of: the hashes
// tlog reads for it, no more and no fewer.
func TestFrontierIsWhatTheTreeHashReads(t *testing.T) {
	t.Parallel()
	for n := range int64(600) {
		var read []int64
		r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			read = append(read, idx...)
			return make([]tlog.Hash, len(idx)), nil
		})
		if _, err := tlog.TreeHash(n, r); err != nil {
			t.Fatal(err)
		}
		slices.Sort(read)
		if got := frontier(n); !slices.Equal(got, read) {
			t.Fatalf("frontier(%d) = %v, the tree hash reads %v", n, got, read)
		}
	}
}
