package keys

import (
	"slices"
	"strings"
	"sync"
)

// spareCases is how many rings each batch file holds beyond the cases
// waiting for it. Creating a file is the costly part of a new case (about
// 0.25 ms of CPU on the 2-core machine, more than its two fsyncs); with
// spares, one file serves the next spareCases registrations, which then
// wait for no write at all.
const spareCases = 64

// spares are rings written durably ahead of need, by class set. A process
// that stops leaves its unused spares in their files: records of cases
// that never existed, which nothing reads (as a registration that failed
// after its keys were made leaves one).
type spares struct {
	mu    sync.Mutex
	bySet map[string][]*CaseRing
}

// classSet names a set of classes whatever their order: a ring holds a
// key per class, not a sequence.
func classSet(classes []string) string {
	return strings.Join(slices.Sorted(slices.Values(classes)), "\x00")
}

// take returns a spare ring for exactly these classes, or nil.
func (s *spares) take(classes []string) *CaseRing {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := classSet(classes)
	list := s.bySet[set]
	if len(list) == 0 {
		return nil
	}
	r := list[len(list)-1]
	list[len(list)-1] = nil
	s.bySet[set] = list[:len(list)-1]
	return r
}

// add makes durable rings available to take.
func (s *spares) add(classes []string, rings []*CaseRing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bySet == nil {
		s.bySet = map[string][]*CaseRing{}
	}
	set := classSet(classes)
	s.bySet[set] = append(s.bySet[set], rings...)
}
