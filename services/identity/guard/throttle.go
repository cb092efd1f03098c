package guard

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Throttle slows down repeated login failures instead of locking
// accounts, so an attacker cannot lock an officer out. Three counters per
// attempt:
//   - (account, address): a few free tries, then an exponentially growing
//     wait (refused with 429 before any work);
//   - address: more free tries (offices share addresses), then a growing wait;
//   - account: only a short added delay, so a flood against an account from
//     many addresses slows the real user down but never shuts them out.
//
// Counters are forgotten after a quiet period, and the table is an LRU with
// a fixed capacity, so memory stays bounded whatever an attacker sends.
type Throttle struct {
	mu       sync.Mutex
	capacity int
	now      func() time.Time
	lru      *list.List
	entries  map[string]*list.Element
}

type throttleEntry struct {
	key      string
	failures int
	last     time.Time
}

type throttleRule struct {
	free     int
	base     time.Duration
	max      time.Duration
	linear   bool
	keyspace string
}

var (
	rulePair    = throttleRule{free: 3, base: time.Second, max: 5 * time.Minute, keyspace: "p|"}
	ruleAddress = throttleRule{free: 20, base: time.Second, max: time.Minute, keyspace: "a|"}
	ruleAccount = throttleRule{free: 5, base: 200 * time.Millisecond, max: 2 * time.Second, linear: true, keyspace: "u|"}
)

const (
	// DefaultThrottleCapacity is the number of counters a Throttle keeps.
	DefaultThrottleCapacity = 100_000
	throttleForget          = 15 * time.Minute
)

// NewThrottle returns a Throttle of at most capacity counters.
func NewThrottle(capacity int, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{capacity: capacity, now: now, lru: list.New(), entries: map[string]*list.Element{}}
}

func (r throttleRule) delay(failures int) time.Duration {
	n := failures - r.free
	if n < 0 {
		return 0
	}
	var d time.Duration
	if r.linear {
		d = r.base * time.Duration(n+1)
	} else {
		if n > 20 {
			n = 20
		}
		d = r.base << n
	}
	return min(d, r.max)
}

// accountKey keeps no email in memory.
func accountKey(email string) string {
	h := sha256.Sum256([]byte(email))
	return hex.EncodeToString(h[:12])
}

// Attempt decides whether a login attempt may go ahead. It returns ok=false
// (refuse with 429, no work done) when the address or the (account,
// address) pair must still wait, and otherwise counts the attempt as a
// failure until Succeeded says otherwise, so parallel attempts cannot slip
// through together. When ok, wait is the added delay for the account;
// when refused, wait is how long until every refusing counter lets an
// attempt through, and byAddress says that the address counter is the one
// that holds it longest (the limit a 429 names). Nothing here depends on
// whether the account exists: a known and an unknown email are counted
// and refused alike.
func (t *Throttle) Attempt(email, addr string) (ok bool, wait time.Duration, byAddress bool) {
	acct := accountKey(email)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	pair := t.get(rulePair.keyspace+acct+"|"+addr, now)
	address := t.get(ruleAddress.keyspace+addr, now)
	account := t.get(ruleAccount.keyspace+acct, now)
	for _, c := range []struct {
		e    *throttleEntry
		r    throttleRule
		addr bool
	}{{pair, rulePair, false}, {address, ruleAddress, true}} {
		if d := c.r.delay(c.e.failures); d > 0 && now.Before(c.e.last.Add(d)) {
			if left := c.e.last.Add(d).Sub(now); left > wait {
				wait, byAddress = left, c.addr
			}
		}
	}
	if wait > 0 {
		return false, wait, byAddress
	}
	wait = ruleAccount.delay(account.failures)
	for _, e := range []*throttleEntry{pair, address, account} {
		e.failures++
		e.last = now
	}
	return true, wait, false
}

// Succeeded clears the account's counters after a successful login; the
// address keeps its history but for this attempt.
func (t *Throttle) Succeeded(email, addr string) {
	acct := accountKey(email)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range []string{rulePair.keyspace + acct + "|" + addr, ruleAccount.keyspace + acct} {
		if el, ok := t.entries[k]; ok {
			t.lru.Remove(el)
			delete(t.entries, k)
		}
	}
	if el, ok := t.entries[ruleAddress.keyspace+addr]; ok {
		if e := el.Value.(*throttleEntry); e.failures > 0 {
			e.failures--
		}
	}
}

// get returns the entry for key, creating it (and evicting the least
// recently used entry when full) and forgetting stale counts.
func (t *Throttle) get(key string, now time.Time) *throttleEntry {
	if el, ok := t.entries[key]; ok {
		t.lru.MoveToFront(el)
		e := el.Value.(*throttleEntry)
		if now.Sub(e.last) > throttleForget {
			e.failures = 0
		}
		return e
	}
	for t.lru.Len() >= t.capacity {
		old := t.lru.Back()
		t.lru.Remove(old)
		delete(t.entries, old.Value.(*throttleEntry).key)
	}
	e := &throttleEntry{key: key, last: now}
	t.entries[key] = t.lru.PushFront(e)
	return e
}

// size returns the number of tracked keys.
func (t *Throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}

// AddressFailures returns the recent failed attempts counted for addr
// (the hashing queue's priority: fewer goes first).
func (t *Throttle) AddressFailures(addr string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.entries[ruleAddress.keyspace+addr]
	if !ok {
		return 0
	}
	e := el.Value.(*throttleEntry)
	if t.now().Sub(e.last) > throttleForget {
		return 0
	}
	return e.failures
}

// AddressClean reports whether addr is still within its free failed
// tries (the hashing slots kept for clean addresses: fairSlots).
func (t *Throttle) AddressClean(addr string) bool {
	return t.AddressFailures(addr) < ruleAddress.free
}

// LimitHashingQueue names the 429 of a client address that already has
// the most password checks waiting (identity.LimitHashingQueue).
const LimitHashingQueue = "hashing_queue"
