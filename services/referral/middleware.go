package referral

import (
	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"
)

// The decorator the middlewares are made of (observed_gen.go).
//go:generate go run ../../internal/gendecorator

// Middleware decorates a Service.
type Middleware func(Service) Service

// LoggingMiddleware logs each call's method, outcome code and duration.
// It never logs arguments or results: ids and codes only pass through the
// audit log.
func LoggingMiddleware(logger log.Logger) Middleware { return decorate.Logging(logger) }

// InstrumentingMiddleware counts calls and their durations by method and
// outcome code.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	return decorate.Instrumenting(reg, "referral", "Referral service")
}
