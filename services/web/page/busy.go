package page

import (
	"net/http"
	"strconv"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// busyMessage is what a user refused for going too fast is told: the wait
// the service asked for (its Retry-After), in seconds under a minute and
// in minutes, rounded up, from a minute on.
func busyMessage(e *kit.Error) (string, []any) {
	d := e.RetryAfter
	switch {
	case d <= 0:
		return "error.busy.body", nil
	case d < time.Minute:
		return "error.busy.seconds", []any{int((d + time.Second - 1) / time.Second)}
	default:
		return "error.busy.minutes", []any{int((d + time.Minute - 1) / time.Minute)}
	}
}

// unavailableMessage is what a user is told when a service is down or
// busy past the request's budget (a 503): the wait its Retry-After asks
// for, in seconds, when it gives one under a minute.
func unavailableMessage(e *kit.Error) (string, []any) {
	if d := e.RetryAfter; e.Status == http.StatusServiceUnavailable && d > 0 && d < time.Minute {
		return "error.unavailable.seconds", []any{int((d + time.Second - 1) / time.Second)}
	}
	return "error.unavailable.body", nil
}

// retryAfter sets the Retry-After header of a page answering e (a 429 or
// a 503 that asks for a wait).
func retryAfter(w http.ResponseWriter, e *kit.Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
}
