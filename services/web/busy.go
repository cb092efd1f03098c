package web

import (
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
