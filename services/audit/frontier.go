package audit

import (
	"context"
	"database/sql"
	"slices"

	"github.com/go-kit/log/level"
	"golang.org/x/mod/sumdb/tlog"
)

// Of the log before it, an append needs only the hashes of the complete
// subtrees the stored tree is made of (its frontier): every hash it
// writes combines those with its own entries. They are read inside the
// append's transaction, so an append builds on what the database holds,
// never on what this process remembers writing: after a failover to a
// replica that missed acknowledged commits, or a restore, those are not
// the same, and hashes remembered across batches made a broken tree.
// What this process last wrote is kept only to notice that loss.

// frontier returns the stored-hash indices of the complete subtrees that
// make up a tree of n entries, largest first.
func frontier(n int64) []int64 {
	var (
		out   []int64
		start int64
	)
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			out = append(out, tlog.StoredHashIndex(level, start>>level))
			start += 1 << level
		}
	}
	return out
}

// writtenTree is the log as this process's last append left it: its size
// and the hashes of frontier(size).
type writtenTree struct {
	size   int64
	hashes []tlog.Hash
}

// storedFrontier reads the frontier of the stored tree of n entries, by
// stored-hash index, and checks that the stored tree still begins with
// the tree this process last wrote. Other replicas' appends only extend
// it; a shorter or different tree means appended entries were lost: it
// is logged and counted, and what was remembered is dropped.
func (l *Log) storedFrontier(ctx context.Context, tx *sql.Tx, n int64) (map[int64]tlog.Hash, error) {
	idx := frontier(n)
	w := l.written
	var mine []int64
	if w.size > 0 && w.size <= n {
		mine = frontier(w.size)
	}
	hs, err := readHashes(ctx, tx, append(slices.Clone(idx), mine...))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]tlog.Hash, len(idx))
	for i, x := range idx {
		out[x] = hs[i]
	}
	if w.size > n || w.size > 0 && !slices.Equal(hs[len(idx):], w.hashes) {
		l.metrics.divergences.Inc()
		level.Warn(l.logger).Log("msg", "the stored audit log no longer holds entries this process appended; appending on the stored log",
			"appended_size", w.size, "stored_size", n)
		l.written = writtenTree{}
	}
	return out, nil
}
