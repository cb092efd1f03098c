package intake

import (
	"context"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

// The decorator both middlewares are made of (observed_gen.go): every
// method of Service, the sub-packages' included, with the case id each
// call names ("" when it names none: a list, a duplicate pair, a
// break-glass review's own id).
//go:generate go run ../../internal/gendecorator -caseid caseID,id,Register=r0.ID,GrantPending=g.CaseID,ReviewBreakGlass=

// Middleware decorates a Service.
type Middleware func(Service) Service

// LoggingMiddleware logs each call's method, case id, outcome code and
// duration. Nothing else of a call is logged, not even an error's text:
// registrations, consents and grants carry what must never leave
// intake's memory.
func LoggingMiddleware(logger log.Logger) Middleware {
	return func(next Service) Service {
		return &observed{next: next, observe: func(ctx context.Context, method, caseID string, begin time.Time, err error) {
			kv := []any{"method", method}
			if casefile.ValidID(caseID) { // an id as passed in-process, unchecked, is not logged
				kv = append(kv, "case_id", caseID)
			}
			kv = append(kv, "outcome", outcome(ctx, err), "took", time.Since(begin), "request_id", kit.RequestID(ctx))
			_ = logger.Log(kv...)
		}}
	}
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
		return &observed{next: next, observe: func(ctx context.Context, method, _ string, begin time.Time, err error) {
			o := outcome(ctx, err)
			calls.WithLabelValues(method, o).Inc()
			dur.WithLabelValues(method, o).Observe(time.Since(begin).Seconds())
		}}
	}, nil
}
