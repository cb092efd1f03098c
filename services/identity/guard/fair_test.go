package guard

import (
	"testing"
	"time"
)

// TestFairSlotsKeepOneForCleanAddresses: a flood from addresses past
// their free tries held every hashing slot, so a real user, first in
// line, still waited for a whole hash to end. One slot stays ready for
// clean addresses: the flood hashes one at a time, the user at once.
func TestFairSlotsKeepOneForCleanAddresses(t *testing.T) {
	f := newFairSlots(2, 4)
	f.reserved = 1
	f.clean = func(k string) bool { return k != "flood" }
	ctx := t.Context()
	if err := f.acquire(ctx, "flood", time.Second); err != nil {
		t.Fatalf("the flood's first hash, every slot free: %v", err)
	}
	flooded := make(chan error, 1)
	go func() { flooded <- f.acquire(ctx, "flood", time.Minute) }()
	waitQueued(t, f, 1)
	if err := f.acquire(ctx, "user", 10*time.Millisecond); err != nil {
		t.Fatalf("a clean address waited for a slot while one was kept for it: %v", err)
	}
	f.release() // the user's hash ends: one slot free, kept
	waitQueued(t, f, 1)
	f.release() // the flood's first ends: both free, the flood's second starts
	if err := <-flooded; err != nil {
		t.Fatalf("the flood's second hash, more than the kept slot free: %v", err)
	}
	f.release()
	if f.free != 2 || len(f.order) != 0 {
		t.Fatalf("free %d, waiting keys %v; want 2 and none", f.free, f.order)
	}
}
