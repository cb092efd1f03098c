package kit

import (
	"container/list"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
)

// Limiter is a set of token buckets keyed by a string (a user, an
// organisation, an address). Memory is bounded: past MaxKeys the least
// recently seen key is forgotten, which only ever forgives a client.
type Limiter struct {
	rate    float64 // tokens per second
	burst   float64
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*list.Element
	lru     *list.List
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter allowing rate requests per second per key
// with bursts up to burst, tracking at most maxKeys keys.
func NewLimiter(rate float64, burst, maxKeys int) *Limiter {
	return &Limiter{
		rate: rate, burst: float64(burst), maxKeys: maxKeys, now: time.Now,
		buckets: make(map[string]*list.Element), lru: list.New(),
	}
}

// WithClock makes the limiter read time from now (tests move it by hand).
func (l *Limiter) WithClock(now func() time.Time) *Limiter {
	l.now = now
	return l
}

// Allow takes one token from key's bucket and reports whether there was one.
func (l *Limiter) Allow(key string) bool {
	ok, _ := l.Take(key)
	return ok
}

// Take takes one token from key's bucket; when there is none it reports
// how long until there is one.
func (l *Limiter) Take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	el, ok := l.buckets[key]
	if !ok {
		if l.lru.Len() >= l.maxKeys {
			oldest := l.lru.Back()
			delete(l.buckets, oldest.Value.(*bucket).key)
			l.lru.Remove(oldest)
		}
		el = l.lru.PushFront(&bucket{key: key, tokens: l.burst, last: now})
		l.buckets[key] = el
	} else {
		l.lru.MoveToFront(el)
	}
	b := el.Value.(*bucket)
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// Len returns the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// Names of the shared limits, as a 429 names them (the flags of nrm serve
// that set them are listed in docs/operations.md).
const (
	LimitAddress = "requests_per_address"
	LimitUser    = "requests_per_user"
	LimitOrg     = "requests_per_organisation"
)

// RateLimits holds the limits applied to every request: per client address
// before anything else, per user and per organisation once authenticated
// and before authorisation.
type RateLimits struct {
	Address *Limiter
	User    *Limiter
	Org     *Limiter
	// Rejected counts refusals by scope; rejected requests are counted, not
	// logged one by one, so a flood cannot fill the logs or the audit trail.
	Rejected *prometheus.CounterVec
}

// NewRateLimits returns limits of the given requests per second per client
// address, user and organisation, with bursts a few times larger.
func NewRateLimits(perAddress, perUser, perOrg float64) *RateLimits {
	return &RateLimits{
		Address: NewLimiter(perAddress, int(4*perAddress)+1, 100_000),
		User:    NewLimiter(perUser, int(5*perUser)+1, 100_000),
		Org:     NewLimiter(perOrg, int(5*perOrg)+1, 10_000),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nrm", Name: "rate_limited_total",
			Help: "Requests refused by a rate limit, by scope.",
		}, []string{"scope"}),
	}
}

// HTTP limits requests per client address; it belongs before routing.
func (rl *RateLimits) HTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rl.Address != nil {
			if ok, wait := rl.Address.Take(ClientAddr(r.Context())); !ok {
				rl.Rejected.WithLabelValues("address").Inc()
				WriteError(w, RateLimited(LimitAddress, wait))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Endpoint limits requests per user and per organisation, as subject reads
// them from the context (the authenticated principal). Put it after
// authentication and before authorisation, so a denied flood still costs
// the flooder its budget.
func (rl *RateLimits) Endpoint(subject func(ctx context.Context) (user, org string)) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			if user, org := subject(ctx); user != "" {
				if rl.User != nil {
					if ok, wait := rl.User.Take(user); !ok {
						rl.Rejected.WithLabelValues("user").Inc()
						return nil, RateLimited(LimitUser, wait)
					}
				}
				if rl.Org != nil && org != "" {
					if ok, wait := rl.Org.Take(org); !ok {
						rl.Rejected.WithLabelValues("org").Inc()
						return nil, RateLimited(LimitOrg, wait)
					}
				}
			}
			return next(ctx, req)
		}
	}
}
