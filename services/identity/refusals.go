package identity

import (
	"slices"
	"sync"
	"time"

	"github.com/go-kit/log"
)

// refusalWindow is how often calls refused by a rate limit are logged.
const refusalWindow = 10 * time.Second

// refusalLog counts the calls refused by a rate limit (429) and logs them
// once per window, by method, instead of a line each: a flood of refused
// sign-ins wrote hundreds of lines a second, spending on logging the
// processor time the real users' password hashes wait for. The
// throttled_total metric counts every one as it happens.
type refusalLog struct {
	mu    sync.Mutex
	start time.Time
	n     map[string]int
}

// add counts one refusal of method at now, and logs the window's counts
// to logger when the window has passed.
func (r *refusalLog) add(logger log.Logger, method string, now time.Time) {
	r.mu.Lock()
	if r.n == nil {
		r.n, r.start = map[string]int{}, now
	}
	r.n[method]++
	if now.Sub(r.start) < refusalWindow {
		r.mu.Unlock()
		return
	}
	counts, start := r.n, r.start
	r.n, r.start = map[string]int{}, now
	r.mu.Unlock()
	kv := []any{"msg", "calls refused by rate limits", "outcome", "rate_limited", "since", start.UTC()}
	methods := make([]string, 0, len(counts))
	for m := range counts {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	for _, m := range methods {
		kv = append(kv, m, counts[m])
	}
	_ = logger.Log(kv...)
}
