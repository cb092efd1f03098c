package guard

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// fairSlots bounds concurrent password hashes and hands a freed slot to
// the waiting client addresses, not to whoever queued first: first to the
// addresses with the fewest recent failed logins (priority; an office
// whose people sign in successfully goes before an address sending wrong
// passwords), and among equals in turn (round robin), so a flood from a
// few addresses queues behind itself. Each address may have only a few
// requests waiting; more are refused at once (429), before any hashing.
//
// Some slots are kept for clean addresses (reserved; clean decides): an
// address past its free failed tries takes a slot only while more than
// reserved are free. Without it a flood from a few addresses keeps every
// slot busy, and a real user, first in line, still waits for a whole hash
// to end before theirs starts, beside another flood hash on the same cores.
type fairSlots struct {
	mu       sync.Mutex
	free     int
	reserved int                   // slots only clean keys may take
	clean    func(key string) bool // nil: every key is clean
	perKey   int
	priority func(key string) int // lower goes first; nil: all equal
	now      func() time.Time     // when a waiter queued (the 429's wait)
	queues   map[string][]*slotWaiter
	order    []string // keys with waiters, in turn order
	granted  uint64   // slots handed out, for tests
}

type slotWaiter struct {
	ch      chan struct{}
	granted bool
	until   time.Time // when it gives up, if no slot came
}

func newFairSlots(n, perKey int) *fairSlots {
	return &fairSlots{free: n, perKey: perKey, now: time.Now, queues: map[string][]*slotWaiter{}}
}

// acquire takes a slot for key, waiting at most wait. It answers a 429
// (LimitHashingQueue) when key already has perKey requests waiting, with
// the time by which its oldest waiter leaves the queue at the latest (a
// slot or its own wait ending), and kit.ErrUnavailable when no slot came in
// time.
func (f *fairSlots) acquire(ctx context.Context, key string, wait time.Duration) error {
	f.mu.Lock()
	// Every waiter that may take a free slot has one (dispatchLocked runs
	// after each change), so a free slot is this caller's if it may take it.
	if f.free > 0 && f.mayTakeLocked(key) {
		f.free--
		f.granted++
		f.mu.Unlock()
		return nil
	}
	now := f.now()
	if q := f.queues[key]; len(q) >= f.perKey {
		f.mu.Unlock()
		return kit.RateLimited(LimitHashingQueue, q[0].until.Sub(now))
	}
	w := &slotWaiter{ch: make(chan struct{}), until: now.Add(wait)}
	if len(f.queues[key]) == 0 {
		f.order = append(f.order, key)
	}
	f.queues[key] = append(f.queues[key], w)
	f.mu.Unlock()

	t := time.NewTimer(wait)
	defer t.Stop()
	var err error
	select {
	case <-w.ch:
		return nil
	case <-t.C:
		err = kit.ErrUnavailable
	case <-ctx.Done():
		err = fmt.Errorf("identity: hash: %w", ctx.Err())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if w.granted { // handed a slot while giving up: pass it on
		f.releaseLocked()
		return err
	}
	q := f.queues[key]
	for i, x := range q {
		if x == w {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(f.queues, key)
		for i, k := range f.order {
			if k == key {
				f.order = append(f.order[:i:i], f.order[i+1:]...)
				break
			}
		}
	} else {
		f.queues[key] = q
	}
	return err
}

// release frees a slot, handing it to the next address in turn.
func (f *fairSlots) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.releaseLocked()
}

func (f *fairSlots) releaseLocked() {
	f.free++
	f.dispatchLocked()
}

// mayTakeLocked reports whether key may take a free slot now: a clean key
// any, another only while more than the reserved ones are free.
func (f *fairSlots) mayTakeLocked(key string) bool {
	return f.free > f.reserved || f.clean == nil || f.clean(key)
}

// dispatchLocked hands the free slots to the waiters that may take them.
func (f *fairSlots) dispatchLocked() {
	for f.free > 0 {
		next := f.nextLocked()
		if next < 0 {
			return
		}
		f.grantLocked(next)
	}
}

// nextLocked returns the position in order of the key whose waiter gets
// the next free slot: of those that may take it, the lowest priority,
// first in turn among equals; -1 when none may.
func (f *fairSlots) nextLocked() int {
	next, best := -1, 0
	for i, k := range f.order {
		if !f.mayTakeLocked(k) {
			continue
		}
		p := 0
		if f.priority != nil && len(f.order) > 1 {
			p = f.priority(k)
		}
		if next < 0 || p < best {
			next, best = i, p
		}
	}
	return next
}

// grantLocked hands a free slot to the first waiter of order[next].
func (f *fairSlots) grantLocked(next int) {
	f.free--
	key := f.order[next]
	f.order = append(f.order[:next:next], f.order[next+1:]...)
	q := f.queues[key]
	w := q[0]
	if len(q) > 1 {
		f.queues[key] = q[1:]
		f.order = append(f.order, key)
	} else {
		delete(f.queues, key)
	}
	w.granted = true
	f.granted++
	close(w.ch)
}

// hashes returns the number of slots handed out so far.
func (f *fairSlots) hashes() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.granted
}

// Hashes returns the number of hashing slots h has handed out so far
// (a test counts the hashes a request ran).
func (h *Hasher) Hashes() uint64 { return h.slots.hashes() }

// Hold takes every free hashing slot of h and lets a queued request wait
// up to wait for one, for tests of the queue: queued reports how many
// requests addr has waiting; release gives the slots back.
func (h *Hasher) Hold(wait time.Duration) (queued func(addr string) int, release func()) {
	f := h.slots
	h.wait = wait
	f.mu.Lock()
	held := f.free
	f.free = 0
	f.mu.Unlock()
	queued = func(addr string) int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.queues[addr])
	}
	release = func() {
		for range held {
			f.release()
		}
	}
	return queued, release
}
