package kit

import (
	"context"
	"net/http"
	"time"
)

// DefaultRequestTimeout is the default budget of a request.
const DefaultRequestTimeout = 5 * time.Second

// Deadline gives every request a budget of d: the context its handlers
// see ends then, and with it every wait the request makes for a database
// connection, a lock or a peer service. A wait ended so is an outage
// (outage.Classify), answered 503 with Retry-After instead of holding the
// client. A d of zero or less leaves requests without a deadline.
func Deadline(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
