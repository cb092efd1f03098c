package notices

import (
	"context"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/kit"
)

// LoggingMiddleware logs each inbox call's method, outcome and
// duration; never its arguments or results.
func LoggingMiddleware(logger log.Logger) func(Service) Service {
	return decorate.Logging(logger)
}

var decorate kit.Decorator[Service] = func(next Service, observe kit.Observer) Service {
	return observed{next: next, observe: observe}
}

type observed struct {
	next    Service
	observe kit.Observer
}

func (m observed) Notices(ctx context.Context, q Query) (p Page, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Notices", begin, err) }(time.Now())
	return m.next.Notices(ctx, q)
}

func (m observed) MarkRead(ctx context.Context, ids []string) (n int, err error) {
	defer func(begin time.Time) { m.observe(ctx, "MarkRead", begin, err) }(time.Now())
	return m.next.MarkRead(ctx, ids)
}
