package guard

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	th := NewThrottle(1000, func() time.Time { return now })
	attempts := func(email, addr string, n int) (allowed int) {
		for range n {
			if ok, _, _ := th.Attempt(email, addr); ok {
				allowed++
			}
		}
		return allowed
	}
	t.Run("pair slows down after a few failures", func(t *testing.T) {
		if got := attempts("victim@example.org", "198.51.100.1", 50); got != rulePair.free {
			t.Fatalf("allowed %d of a burst, want %d", got, rulePair.free)
		}
	})
	t.Run("real user from another address still gets in", func(t *testing.T) {
		ok, wait, _ := th.Attempt("victim@example.org", "203.0.113.7")
		if !ok || wait > ruleAccount.max {
			t.Fatalf("ok=%v wait=%v", ok, wait)
		}
		th.Succeeded("victim@example.org", "203.0.113.7")
	})
	t.Run("the wait grows and then ends", func(t *testing.T) {
		now = now.Add(500 * time.Millisecond)
		if ok, _, _ := th.Attempt("victim@example.org", "198.51.100.1"); ok {
			t.Fatal("allowed before the wait ended")
		}
		now = now.Add(rulePair.max)
		if ok, _, _ := th.Attempt("victim@example.org", "198.51.100.1"); !ok {
			t.Fatal("refused after the wait")
		}
	})
	t.Run("an address spraying many accounts is slowed down", func(t *testing.T) {
		allowed := 0
		for i := range 200 {
			if ok, _, _ := th.Attempt(fmt.Sprintf("user%d@example.org", i), "192.0.2.99"); ok {
				allowed++
			}
		}
		if allowed != ruleAddress.free {
			t.Fatalf("allowed %d, want %d", allowed, ruleAddress.free)
		}
	})
	t.Run("many addresses against one account only add a bounded delay", func(t *testing.T) {
		var wait time.Duration
		for i := range 100 {
			_, wait, _ = th.Attempt("target@example.org", fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		}
		if wait == 0 || wait > ruleAccount.max {
			t.Fatalf("account delay %v, want in (0, %v]", wait, ruleAccount.max)
		}
	})
	t.Run("counts are forgotten after a quiet period", func(t *testing.T) {
		now = now.Add(throttleForget + time.Minute)
		if ok, wait, _ := th.Attempt("target@example.org", "10.0.0.1"); !ok || wait != 0 {
			t.Fatalf("ok=%v wait=%v after quiet period", ok, wait)
		}
	})
}

func TestThrottleBounded(t *testing.T) {
	t.Parallel()
	th := NewThrottle(300, time.Now)
	for i := range 20_000 {
		th.Attempt(fmt.Sprintf("u%d@example.org", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		if n := th.size(); n > 300 {
			t.Fatalf("tracking table grew to %d entries", n)
		}
	}
	if th.size() != 300 {
		t.Fatalf("size %d, want the capacity", th.size())
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := NewHasher(DefaultArgon2, 2, Order{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	phc, err := h.Hash(ctx, "", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	p, _, _, err := ParsePHC(phc)
	if err != nil || p != DefaultArgon2 {
		t.Fatalf("stored parameters %+v, %v", p, err)
	}
	tests := []struct {
		name, phc, password string
		ok                  bool
		err                 bool
	}{
		{"right password", phc, "correct horse battery staple", true, false},
		{"wrong password", phc, "correct horse battery stapler", false, false},
		{"not argon2id", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "x", false, true},
		{"absurd memory", "$argon2id$v=19$m=99999999,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "x", false, true},
		{"garbage", "plain", "plain", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := h.Verify(ctx, "", tc.phc, tc.password)
			if ok != tc.ok || (err != nil) != tc.err {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
		})
	}
}

func TestHashingSlotsBounded(t *testing.T) {
	t.Parallel()
	h, err := NewHasher(Argon2Params{Time: 1, Memory: 64, Threads: 1}, 1, Order{})
	if err != nil {
		t.Fatal(err)
	}
	h.wait = 10 * time.Millisecond
	if err := h.acquire(t.Context(), "other"); err != nil { // every slot busy
		t.Fatal(err)
	}
	t.Cleanup(h.release)
	if _, err := h.Hash(t.Context(), "192.0.2.1", "correct horse battery staple"); err != kit.ErrUnavailable {
		t.Fatalf("err = %v, want kit.ErrUnavailable when no slot frees up", err)
	}
}

// TestFairSlots: a freed hashing slot goes to the waiting addresses in
// turn, so one address with a queue of requests cannot starve another;
// and an address may queue only a few.
func TestFairSlots(t *testing.T) {
	t.Parallel()
	f := newFairSlots(1, 3)
	ctx := t.Context()
	if err := f.acquire(ctx, "held", time.Second); err != nil {
		t.Fatal(err)
	}
	type grant struct {
		key string
		n   int
	}
	got := make(chan grant, 8)
	var wg sync.WaitGroup
	wait := func(key string, n int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.acquire(ctx, key, time.Minute); err != nil {
				t.Errorf("%s %d: %v", key, n, err)
				return
			}
			got <- grant{key, n}
		}()
	}
	queued := func(n int) {
		t.Helper()
		for {
			f.mu.Lock()
			q := 0
			for _, w := range f.queues {
				q += len(w)
			}
			f.mu.Unlock()
			if q == n {
				return
			}
			runtime.Gosched()
		}
	}
	// The flood queues three, then the legitimate address one.
	for i := range 3 {
		wait("flood", i)
		queued(i + 1)
	}
	if err := f.acquire(ctx, "flood", time.Minute); kit.AsError(err).Limit != LimitHashingQueue {
		t.Fatalf("fourth waiting request of one address: %v, want a 429 naming %s", err, LimitHashingQueue)
	}
	wait("user", 0)
	queued(4)
	var order []string
	for range 4 {
		f.release()
		g := <-got
		order = append(order, g.key)
	}
	wg.Wait()
	if strings.Join(order, ",") != "flood,user,flood,flood" {
		t.Fatalf("slots went to %v; the legitimate address must get the second", order)
	}
}

// TestFairSlotsPriority: among waiting addresses, the one with fewer
// recent failures gets the next slot, whoever queued first.
func TestFairSlotsPriority(t *testing.T) {
	t.Parallel()
	f := newFairSlots(1, 3)
	failures := map[string]int{"flood": 40, "office": 1}
	f.priority = func(k string) int { return failures[k] }
	ctx := t.Context()
	if err := f.acquire(ctx, "held", time.Second); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 3)
	for i, k := range []string{"flood", "flood", "office"} {
		go func() {
			if err := f.acquire(ctx, k, time.Minute); err == nil {
				got <- k
			}
		}()
		waitQueued(t, f, i+1)
	}
	var order []string
	for range 3 {
		f.release()
		order = append(order, <-got)
	}
	if strings.Join(order, ",") != "office,flood,flood" {
		t.Fatalf("slots went to %v; the address without failures must go first", order)
	}
}

// waitQueued waits until n requests wait in f.
func waitQueued(t *testing.T, f *fairSlots, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		q := 0
		for _, w := range f.queues {
			q += len(w)
		}
		f.mu.Unlock()
		if q == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiting, want %d", q, n)
		}
		runtime.Gosched()
	}
}
