package directory

import (
	"context"
	"sync"
	"time"
)

// dirCache keeps the directory (per service) in memory for routing, which
// would otherwise read every provider on each referral. Any write through
// this process's store drops it; other replicas' writes show within the
// TTL, or at once when the store shares Changes. Stale places only affect ranking: acceptance reserves places
// atomically in the database, whatever the cache said.
type dirCache struct {
	ttl     time.Duration
	changes *Changes // nil: this store's writes only

	mu      sync.Mutex
	gen     uint64
	entries map[string]dirEntry
}

type dirEntry struct {
	at        time.Time
	providers []Provider // shared and read-only
}

func newDirCache(ttl time.Duration) *dirCache {
	return &dirCache{ttl: ttl, entries: map[string]dirEntry{}}
}

// invalidate drops every entry; a load racing with it is not kept.
func (c *dirCache) invalidate() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.mu.Unlock()
}

// Routable returns the providers offering service, from the snapshot
// when fresh. Callers must not modify the slice.
func (st *Store) Routable(ctx context.Context, service string) ([]Provider, error) {
	c := st.dir
	if c == nil {
		return st.Providers(ctx, st.db, service)
	}
	c.mu.Lock()
	e, ok := c.entries[service]
	gen := c.gen
	c.mu.Unlock()
	ttl := c.ttl
	if c.changes != nil && c.changes.live.Load() {
		ttl = max(ttl, SharedTTL)
	}
	if ok && time.Since(e.at) < ttl {
		return e.providers, nil
	}
	ps, err := st.Providers(ctx, st.db, service)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.entries[service] = dirEntry{at: time.Now(), providers: ps}
	}
	c.mu.Unlock()
	return ps, nil
}
