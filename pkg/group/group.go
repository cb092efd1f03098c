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
// fsync), at the price of that much latency. Lanes, when above one, is how
// many batches may run at once: a caller that finds a lane free runs its
// item at once, and a lane that finishes takes everything that waited.
type Batches[T any] struct {
	Max    int
	Linger time.Duration
	Lanes  int

	mu      sync.Mutex
	running int             // batches being gathered or run
	pending []*waiter[T]    // items waiting for a lane, oldest first
	full    []chan struct{} // lingering leaders', closed when a batch's worth is pending
}

type waiter[T any] struct {
	item T
	done chan error // buffered: one value at a time
}

// errLead hands the running of the next batch to a waiting caller.
var errLead = errors.New("group: lead the next batch")

// Do has item handled by run, possibly in a batch with other callers'
// items, and returns run's error for that batch. At most Lanes calls of
// run (one by default) are in progress at a time; results for single
// items travel in the items themselves.
func (g *Batches[T]) Do(item T, run func(batch []T) error) error {
	w := &waiter[T]{item: item, done: make(chan error, 1)}
	g.mu.Lock()
	// A free lane means nothing is pending: a lane that finishes hands
	// itself to the oldest waiting caller.
	lead := g.running < max(g.Lanes, 1)
	if lead {
		g.running++
	} else {
		g.pending = append(g.pending, w)
		if g.Max > 0 && len(g.pending) >= g.Max-1 {
			for _, c := range g.full {
				close(c)
			}
			g.full = nil
		}
	}
	g.mu.Unlock()
	if !lead {
		if err := <-w.done; !errors.Is(err, errLead) {
			return err
		}
	}
	// This caller leads: its item heads the batch it runs.
	g.linger()
	g.mu.Lock()
	n := len(g.pending)
	if g.Max > 0 {
		n = min(n, g.Max-1)
	}
	batch := make([]*waiter[T], 0, n+1)
	batch = append(append(batch, w), g.pending[:n]...)
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
		g.pending = g.pending[1:]
		g.mu.Unlock()
		next.done <- errLead
	} else {
		g.running--
		g.mu.Unlock()
	}
	return err
}

// linger waits, for a leader, up to Linger or until a batch's worth of
// items (Max, its own included) is pending.
func (g *Batches[T]) linger() {
	if g.Linger <= 0 {
		return
	}
	g.mu.Lock()
	if g.Max > 0 && len(g.pending) >= g.Max-1 {
		g.mu.Unlock()
		return
	}
	full := make(chan struct{})
	if g.Max > 0 {
		g.full = append(g.full, full)
	}
	g.mu.Unlock()
	t := time.NewTimer(g.Linger)
	defer t.Stop()
	select {
	case <-t.C:
	case <-full:
		return
	}
	g.mu.Lock()
	for i, c := range g.full {
		if c == full {
			g.full = append(g.full[:i], g.full[i+1:]...)
			break
		}
	}
	g.mu.Unlock()
}
