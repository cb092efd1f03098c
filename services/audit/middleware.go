package audit

import (
	"context"
	"errors"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Middleware decorates a Service.
type Middleware func(Service) Service

// errCode is the stable code of err for logs and metric labels: never the
// message, never a value.
func errCode(err error) string {
	if err == nil {
		return "ok"
	}
	var e *kit.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return kit.CodeInternal
}

// LoggingMiddleware logs each call with its method, outcome code and
// duration; query values are not logged.
func LoggingMiddleware(logger log.Logger) Middleware {
	return func(next Service) Service {
		return &observed{next: next, observe: func(ctx context.Context, method string, begin time.Time, err error) {
			kv := []any{"method", method, "request_id", kit.RequestID(ctx), "code", errCode(err), "took", time.Since(begin)}
			if err != nil && errCode(err) == kit.CodeInternal {
				kv = append(kv, "err", err)
			}
			logger.Log(kv...)
		}}
	}
}

// InstrumentingMiddleware counts calls and their durations by method and
// outcome code.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: "audit", Name: "request_duration_seconds",
		Help: "Auditor requests by method and outcome code.",
	}, []string{"method", "code"})
	if err := reg.Register(dur); err != nil {
		return nil, err
	}
	return func(next Service) Service {
		return &observed{next: next, observe: func(_ context.Context, method string, begin time.Time, err error) {
			dur.WithLabelValues(method, errCode(err)).Observe(time.Since(begin).Seconds())
		}}
	}, nil
}

type observed struct {
	next    Service
	observe func(ctx context.Context, method string, begin time.Time, err error)
}

func (m *observed) Events(ctx context.Context, q Query) (p EventPage, err error) {
	defer func(begin time.Time) { m.observe(ctx, "events", begin, err) }(time.Now())
	return m.next.Events(ctx, q)
}

func (m *observed) Alerts(ctx context.Context, q Query) (p EventPage, err error) {
	defer func(begin time.Time) { m.observe(ctx, "alerts", begin, err) }(time.Now())
	return m.next.Alerts(ctx, q)
}

func (m *observed) Proof(ctx context.Context, id string, size int64) (p InclusionProof, err error) {
	defer func(begin time.Time) { m.observe(ctx, "proof", begin, err) }(time.Now())
	return m.next.Proof(ctx, id, size)
}

func (m *observed) Consistency(ctx context.Context, from, to int64) (p ConsistencyProof, err error) {
	defer func(begin time.Time) { m.observe(ctx, "consistency", begin, err) }(time.Now())
	return m.next.Consistency(ctx, from, to)
}

func (m *observed) LatestCheckpoint(ctx context.Context) (b []byte, err error) {
	defer func(begin time.Time) { m.observe(ctx, "latest_checkpoint", begin, err) }(time.Now())
	return m.next.LatestCheckpoint(ctx)
}
