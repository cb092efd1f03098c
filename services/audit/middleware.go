package audit

import (
	"context"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Middleware decorates a Service.
type Middleware func(Service) Service

// LoggingMiddleware logs each call with its method, outcome code and
// duration; query values are not logged.
func LoggingMiddleware(logger log.Logger) Middleware { return decorate.Logging(logger) }

// InstrumentingMiddleware counts calls and their durations by method and
// outcome code.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	return decorate.Instrumenting(reg, "audit", "Audit service")
}

var decorate kit.Decorator[Service] = func(next Service, observe kit.Observer) Service {
	return &observed{next: next, observe: observe}
}

// observed reports every call to an Observer (kit.Decorator).
type observed struct {
	next    Service
	observe kit.Observer
}

func (m *observed) Events(ctx context.Context, q Query) (p EventPage, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Events", begin, err) }(time.Now())
	return m.next.Events(ctx, q)
}

func (m *observed) Alerts(ctx context.Context, q Query) (p EventPage, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Alerts", begin, err) }(time.Now())
	return m.next.Alerts(ctx, q)
}

func (m *observed) Proof(ctx context.Context, id string, size int64) (p InclusionProof, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Proof", begin, err) }(time.Now())
	return m.next.Proof(ctx, id, size)
}

func (m *observed) Consistency(ctx context.Context, from, to int64) (p ConsistencyProof, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Consistency", begin, err) }(time.Now())
	return m.next.Consistency(ctx, from, to)
}

func (m *observed) LatestCheckpoint(ctx context.Context) (b []byte, err error) {
	defer func(begin time.Time) { m.observe(ctx, "LatestCheckpoint", begin, err) }(time.Now())
	return m.next.LatestCheckpoint(ctx)
}
