package group

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent callers are each handled exactly once, in batches no larger
// than Max, one batch at a time, and each gets its batch's error.
func TestBatches(t *testing.T) {
	const callers = 200
	g := Batches[int]{Max: 7}
	var (
		running, batches atomic.Int32
		mu               sync.Mutex
		seen             = map[int]int{}
	)
	errOdd := errors.New("odd batch")
	run := func(items []int) error {
		if running.Add(1) != 1 {
			t.Error("two batches ran at once")
		}
		defer running.Add(-1)
		if len(items) == 0 || len(items) > 7 {
			t.Errorf("batch of %d", len(items))
		}
		time.Sleep(time.Millisecond)
		mu.Lock()
		for _, x := range items {
			seen[x]++
		}
		mu.Unlock()
		if batches.Add(1)%2 == 1 {
			return errOdd
		}
		return nil
	}
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			if err := g.Do(i, run); err != nil && !errors.Is(err, errOdd) {
				t.Errorf("item %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := range callers {
		if seen[i] != 1 {
			t.Fatalf("item %d handled %d times", i, seen[i])
		}
	}
	if batches.Load() >= callers {
		t.Errorf("%d batches for %d concurrent callers: nothing was grouped", batches.Load(), callers)
	}
}

// A lingering leader waits for more items, and stops waiting as soon as a
// batch is full: six callers under Max 6 and a one-minute Linger make one
// batch, at once.
func TestBatchesLinger(t *testing.T) {
	g := Batches[int]{Max: 6, Linger: time.Minute}
	var (
		mu      sync.Mutex
		batches [][]int
	)
	run := func(items []int) error {
		mu.Lock()
		defer mu.Unlock()
		batches = append(batches, items)
		return nil
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if err := g.Do(i, run); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(batches) != 1 || len(batches[0]) != 6 {
		t.Fatalf("batches %v, want one of six", batches)
	}
}
