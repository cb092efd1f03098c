package group

import (
	"errors"
	"sync"
	"time"
)

// Batches gathers items of type T into batches. The zero value is ready;
// Max, when positive, bounds a batch. Linger, when positive, is how long a
// leader waits for more items before it runs a batch of fewer than Max:
// worth it when a batch has a fixed cost much larger than an item's (an
// fsync), at the price of that much latency.
type Batches[T any] struct {
	Max    int
	Linger time.Duration

	mu      sync.Mutex
	busy    bool // a caller is running a batch
	pending []*waiter[T]
	full    chan struct{} // closed when pending reaches Max while the leader lingers
}

type waiter[T any] struct {
	item T
	done chan error // buffered: one value at a time
}

// errLead hands the running of the next batch to a waiting caller.
var errLead = errors.New("group: lead the next batch")

// Do has item handled by run, possibly in a batch with other callers'
// items, and returns run's error for that batch. run is called by one
// caller at a time; results for single items travel in the items
// themselves.
func (g *Batches[T]) Do(item T, run func(batch []T) error) error {
	w := &waiter[T]{item: item, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, w)
	if g.full != nil && len(g.pending) >= g.Max {
		close(g.full)
		g.full = nil
	}
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !lead {
		if err := <-w.done; !errors.Is(err, errLead) {
			return err
		}
	}
	// This caller is pending[0]: its item is in the batch it runs.
	g.linger()
	g.mu.Lock()
	n := len(g.pending)
	if g.Max > 0 {
		n = min(n, g.Max)
	}
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()

	items := make([]T, len(batch))
	for i, x := range batch {
		items[i] = x.item
	}
	err := run(items)
	for _, x := range batch[1:] {
		x.done <- err
	}

	g.mu.Lock()
	if len(g.pending) > 0 {
		next := g.pending[0]
		g.mu.Unlock()
		next.done <- errLead
	} else {
		g.busy = false
		g.mu.Unlock()
	}
	return err
}

// linger waits, for a leader, up to Linger or until Max items are pending.
func (g *Batches[T]) linger() {
	if g.Linger <= 0 {
		return
	}
	g.mu.Lock()
	if g.Max > 0 && len(g.pending) >= g.Max {
		g.mu.Unlock()
		return
	}
	full := make(chan struct{})
	if g.Max > 0 {
		g.full = full
	}
	g.mu.Unlock()
	t := time.NewTimer(g.Linger)
	defer t.Stop()
	select {
	case <-t.C:
	case <-full:
	}
	g.mu.Lock()
	g.full = nil
	g.mu.Unlock()
}
