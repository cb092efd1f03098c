package stats

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

// errCode is the stable code of err for logs and metric labels.
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

// LoggingMiddleware logs each call with its method, table, outcome code
// and duration.
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
		Namespace: "nrm", Subsystem: "stats", Name: "request_duration_seconds",
		Help: "Statistics requests by method and outcome code.",
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

func (m *observed) Tables(ctx context.Context) (ts []TableInfo, err error) {
	defer func(begin time.Time) { m.observe(ctx, "tables", begin, err) }(time.Now())
	return m.next.Tables(ctx)
}

func (m *observed) Table(ctx context.Context, name, period string) (t Table, err error) {
	defer func(begin time.Time) { m.observe(ctx, "table", begin, err) }(time.Now())
	return m.next.Table(ctx, name, period)
}

func (m *observed) Report(ctx context.Context, year int) (b []byte, err error) {
	defer func(begin time.Time) { m.observe(ctx, "report", begin, err) }(time.Now())
	return m.next.Report(ctx, year)
}

func (m *observed) CreateRelease(ctx context.Context, spec ReleaseSpec) (r Release, err error) {
	defer func(begin time.Time) { m.observe(ctx, "create_release", begin, err) }(time.Now())
	return m.next.CreateRelease(ctx, spec)
}

func (m *observed) ReleaseTable(ctx context.Context, release, name, period string) (t Table, err error) {
	defer func(begin time.Time) { m.observe(ctx, "release_table", begin, err) }(time.Now())
	return m.next.ReleaseTable(ctx, release, name, period)
}
