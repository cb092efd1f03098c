package identity

import "time"

// HoldHashing takes every free hashing slot of s and lets a queued request
// wait up to wait for one. queued reports how many requests addr has
// waiting; release gives the slots back.
func HoldHashing(s Service, wait time.Duration) (queued func(addr string) int, release func()) {
	f := s.(*service).hasher.slots
	s.(*service).hasher.wait = wait
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
