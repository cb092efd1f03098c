package identity

import (
	"context"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/kit"
)

// The decorator the middlewares are made of (observed_gen.go).
//go:generate go run ../../internal/gendecorator

// Middleware decorates a Service.
type Middleware func(Service) Service

type serviceMetrics struct {
	throttled *prometheus.CounterVec
}

func newServiceMetrics(reg prometheus.Registerer) (*serviceMetrics, error) {
	c, err := kit.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: "identity", Name: "throttled_total",
		Help: "Login and refresh attempts refused by the failure throttle before any work.",
	}, []string{"kind"}))
	if err != nil {
		return nil, err
	}
	return &serviceMetrics{throttled: c}, nil
}

// LoggingMiddleware logs each call's method, outcome and duration. It
// never logs arguments: they hold emails, passwords, codes and tokens.
// RevokedSessions, polled every second by every verifier, is logged only
// when it fails; calls refused by a rate limit are counted and logged once
// per window (refusalLog).
func LoggingMiddleware(logger log.Logger) Middleware {
	calls := kit.LogCalls(logger, "RevokedSessions")
	refused := &refusalLog{}
	obs := func(ctx context.Context, method string, begin time.Time, err error) {
		if err != nil && kit.ErrCode(err) == kit.CodeRateLimited {
			refused.add(logger, method, time.Now())
			return
		}
		calls(ctx, method, begin, err)
	}
	return func(next Service) Service { return decorate(next, obs) }
}

// InstrumentingMiddleware counts calls per method and outcome code and
// observes their duration.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	return decorate.Instrumenting(reg, "identity", "Identity service")
}
