package stats

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
// duration; never its arguments.
func LoggingMiddleware(logger log.Logger) Middleware { return decorate.Logging(logger) }

// InstrumentingMiddleware counts calls and their durations by method and
// outcome code.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	return decorate.Instrumenting(reg, "stats", "Statistics service")
}

var decorate kit.Decorator[Service] = func(next Service, observe kit.Observer) Service {
	return &observed{next: next, observe: observe}
}

// observed reports every call to an Observer (kit.Decorator).
type observed struct {
	next    Service
	observe kit.Observer
}

func (m *observed) Tables(ctx context.Context) (ts []TableInfo, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Tables", begin, err) }(time.Now())
	return m.next.Tables(ctx)
}

func (m *observed) Table(ctx context.Context, name, period string) (t Table, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Table", begin, err) }(time.Now())
	return m.next.Table(ctx, name, period)
}

func (m *observed) Report(ctx context.Context, year int) (b []byte, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Report", begin, err) }(time.Now())
	return m.next.Report(ctx, year)
}

func (m *observed) AnnualReport(ctx context.Context, year int) (r AnnualReport, err error) {
	defer func(begin time.Time) { m.observe(ctx, "AnnualReport", begin, err) }(time.Now())
	return m.next.AnnualReport(ctx, year)
}

func (m *observed) CreateRelease(ctx context.Context, spec ReleaseSpec) (r Release, err error) {
	defer func(begin time.Time) { m.observe(ctx, "CreateRelease", begin, err) }(time.Now())
	return m.next.CreateRelease(ctx, spec)
}

func (m *observed) ReleaseTable(ctx context.Context, release, name, period string, epsilon float64) (t Table, err error) {
	defer func(begin time.Time) { m.observe(ctx, "ReleaseTable", begin, err) }(time.Now())
	return m.next.ReleaseTable(ctx, release, name, period, epsilon)
}

func (m *observed) Releases(ctx context.Context, period string) (rs []Release, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Releases", begin, err) }(time.Now())
	return m.next.Releases(ctx, period)
}

func (m *observed) Ledger(ctx context.Context, period string) (es []LedgerEntry, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Ledger", begin, err) }(time.Now())
	return m.next.Ledger(ctx, period)
}

func (m *observed) Series(ctx context.Context, name, from, to string) (sr Series, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Series", begin, err) }(time.Now())
	return m.next.Series(ctx, name, from, to)
}
