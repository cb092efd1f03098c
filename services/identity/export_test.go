package identity

import "time"

// HoldHashing takes every free hashing slot of s and lets a queued request
// wait up to wait for one. queued reports how many requests addr has
// waiting; release gives the slots back.
func HoldHashing(s Service, wait time.Duration) (queued func(addr string) int, release func()) {
	return s.(*service).hasher.Hold(wait)
}
