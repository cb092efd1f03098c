package intake

import (
	"context"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/cases"
	"github.com/nrm-project/nrm/services/intake/cases/grants"
	"github.com/nrm-project/nrm/services/intake/oversight"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Middleware decorates a Service.
type Middleware func(Service) Service

// LoggingMiddleware logs each call's method, case id, outcome code and
// duration. Nothing else of a call is logged, not even an error's text:
// registrations, consents and grants carry what must never leave
// intake's memory.
func LoggingMiddleware(logger log.Logger) Middleware {
	return func(next Service) Service {
		m := &logging{next: next, log: logger}
		m.Workflows = workflow.LoggingMiddleware(m.done)(next)
		m.Oversight = oversight.LoggingMiddleware(m.done)(next)
		m.Grants = grants.LoggingMiddleware(m.done)(next)
		m.Service = cases.Logging(next, m.done)
		return m
	}
}

// logging logs the services' calls through their own decorators
// (cases.Logging and the others' LoggingMiddleware)
// and KeyStatus itself, all on one log line.
type logging struct {
	cases.Service
	next Service
	log  log.Logger
	// Workflows logs the workflow's calls (package workflow's middleware).
	Workflows
	// Oversight logs oversight's calls (package oversight's middleware).
	Oversight
	// Grants logs the grants' calls (package grants' middleware).
	Grants
}

func (m *logging) done(ctx context.Context, method, caseID string, begin time.Time, err error) {
	kv := []any{"method", method}
	if casefile.ValidID(caseID) { // an id as passed in-process, unchecked, is not logged
		kv = append(kv, "case_id", caseID)
	}
	kv = append(kv, "outcome", outcome(ctx, err), "took", time.Since(begin), "request_id", kit.RequestID(ctx))
	_ = m.log.Log(kv...)
}

func (m *logging) KeyStatus(ctx context.Context) (k []KeyStatus, err error) {
	defer func(b time.Time) { m.done(ctx, "KeyStatus", "", b, err) }(time.Now())
	return m.next.KeyStatus(ctx)
}

// InstrumentingMiddleware counts calls per method and outcome code and
// observes their duration per method and outcome. No other label: a case
// id or an organisation would make the metrics a register of cases.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	calls, err := kit.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: "intake", Name: "calls_total", Help: "Intake service calls by method and outcome.",
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	dur, err := kit.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: "intake", Name: "call_duration_seconds", Help: "Intake service call duration by method and outcome.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	return func(next Service) Service {
		m := &instrumenting{next: next, calls: calls, dur: dur}
		m.Workflows = workflow.InstrumentingMiddleware(m.done)(next)
		m.Oversight = oversight.InstrumentingMiddleware(m.done)(next)
		m.Grants = grants.InstrumentingMiddleware(m.done)(next)
		m.Service = cases.Instrumenting(next, m.done)
		return m
	}, nil
}

// instrumenting measures the services' calls through their own
// decorators and KeyStatus itself, all in one pair of metrics.
type instrumenting struct {
	cases.Service
	next  Service
	calls *prometheus.CounterVec
	dur   *prometheus.HistogramVec
	// Workflows counts the workflow's calls (package workflow's middleware).
	Workflows
	// Oversight counts oversight's calls (package oversight's middleware).
	Oversight
	// Grants counts the grants' calls (package grants' middleware).
	Grants
}

func (m *instrumenting) done(ctx context.Context, method string, begin time.Time, err error) {
	o := outcome(ctx, err)
	m.calls.WithLabelValues(method, o).Inc()
	m.dur.WithLabelValues(method, o).Observe(time.Since(begin).Seconds())
}

func (m *instrumenting) KeyStatus(ctx context.Context) (k []KeyStatus, err error) {
	defer func(b time.Time) { m.done(ctx, "KeyStatus", b, err) }(time.Now())
	return m.next.KeyStatus(ctx)
}
