package auth

import (
	"context"
	"sync"
	"time"
)

// RevocationSource returns the sessions revoked after cursor since, and the
// cursor to ask from next time.
type RevocationSource func(ctx context.Context, since int64) (sessionIDs []string, next int64, err error)

// RevocationList is an in-memory set of revoked session ids kept current
// by polling a RevocationSource. It fails closed: until the first poll
// succeeds, and when no poll has succeeded for FailClosedAfter, every
// session counts as revoked.
type RevocationList struct {
	// PollInterval is the time between polls (default 1s).
	PollInterval time.Duration
	// Retention is how long a revoked id is kept (default AccessTokenTTL
	// plus a minute): after that every token of the session has expired.
	Retention time.Duration
	// FailClosedAfter is how stale the list may get before every session
	// counts as revoked (default 1 minute; negative disables it).
	FailClosedAfter time.Duration
	// OnError, when set, is told about the first failed poll of a run of
	// failures, and OnRecover about the success that ends it: once per
	// change of state, not every second while identity is unreachable.
	OnError   func(error)
	OnRecover func()
	// Now defaults to time.Now.
	Now func() time.Time

	source RevocationSource

	mu       sync.RWMutex
	revoked  map[string]time.Time
	cursor   int64
	lastPoll time.Time
	synced   bool
}

var _ RevocationChecker = (*RevocationList)(nil)

// NewRevocationList returns a list fed by source; call Run to keep it current.
func NewRevocationList(source RevocationSource) *RevocationList {
	return &RevocationList{source: source, revoked: map[string]time.Time{}}
}

func (l *RevocationList) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Revoked implements RevocationChecker.
func (l *RevocationList) Revoked(sessionID string) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if !l.current() {
		return true
	}
	_, ok := l.revoked[sessionID]
	return ok
}

// Current reports whether the list can be trusted: loaded once, and
// polled successfully within FailClosedAfter. Until then every session
// counts as revoked, and a Verifier answers 503 rather than 401.
func (l *RevocationList) Current() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.current()
}

func (l *RevocationList) current() bool {
	if !l.synced {
		return false
	}
	fc := orDefault(l.FailClosedAfter, time.Minute)
	return fc <= 0 || l.now().Sub(l.lastPoll) <= fc
}

// Len returns the number of revoked sessions held.
func (l *RevocationList) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.revoked)
}

// Poll fetches revocations once, draining the source's pages, and drops
// entries older than Retention.
func (l *RevocationList) Poll(ctx context.Context) error {
	l.mu.RLock()
	cursor := l.cursor
	l.mu.RUnlock()
	var ids []string
	for range 100 { // bounded: a source always advances or returns nothing
		page, next, err := l.source(ctx, cursor)
		if err != nil {
			return err
		}
		ids = append(ids, page...)
		if next <= cursor || len(page) == 0 {
			cursor = max(cursor, next)
			break
		}
		cursor = next
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		l.revoked[id] = now
	}
	ret := orDefault(l.Retention, AccessTokenTTL+time.Minute)
	for id, t := range l.revoked {
		if now.Sub(t) > ret {
			delete(l.revoked, id)
		}
	}
	l.cursor, l.lastPoll, l.synced = cursor, now, true
	return nil
}

// Run polls until ctx ends, starting at once.
func (l *RevocationList) Run(ctx context.Context) error {
	t := time.NewTicker(orDefault(l.PollInterval, time.Second))
	defer t.Stop()
	failing := false
	for {
		err := l.Poll(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			if l.OnError != nil {
				l.OnError(err)
			}
		case err == nil && failing:
			failing = false
			if l.OnRecover != nil {
				l.OnRecover()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
