package kit

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrCode is the stable code of err for logs and metric labels: never the
// message, never a value. A nil error is "ok". It is the one mapping from
// an error to its code: services return *Error values (or wrap them), and
// anything else is "internal".
func ErrCode(err error) string {
	if err == nil {
		return "ok"
	}
	return AsError(err).Code
}

// OutcomeClientGone is the outcome of a call whose client went away (it
// closed the connection, so the request's context was canceled) before
// the answer: not a server failure, so not "internal", and no error line.
const OutcomeClientGone = "client_gone"

// Outcome is ErrCode for a call made under ctx: a call that failed only
// because its client went away is OutcomeClientGone.
func Outcome(ctx context.Context, err error) string {
	if ClientGone(ctx, err) {
		return OutcomeClientGone
	}
	return ErrCode(err)
}

// ClientGone reports whether err is the failure of a request its client
// abandoned: the request's context was canceled (not timed out) and err
// is not an answer the service chose (an *Error).
func ClientGone(ctx context.Context, err error) bool {
	if err == nil || !errors.Is(ctx.Err(), context.Canceled) {
		return false
	}
	var e *Error
	return !errors.As(err, &e)
}

// Observer is told of every call of a service method: the one request
// observer behind every service's logging and instrumenting middlewares.
type Observer func(ctx context.Context, method string, begin time.Time, err error)

// LogCalls returns an Observer logging method, outcome code, duration and
// request id; the error text only for internal and unavailable errors (which never carry
// personal data: services wrap with ids and codes only). Arguments and
// results are never logged: they hold emails, codes, tokens and case data.
// The quiet methods (polled every second, say) are logged only when they
// fail.
func LogCalls(logger log.Logger, quiet ...string) Observer {
	return func(ctx context.Context, method string, begin time.Time, err error) {
		if err == nil && slices.Contains(quiet, method) {
			return
		}
		code := Outcome(ctx, err)
		kv := []any{"method", method, "outcome", code, "took", time.Since(begin), "request_id", RequestID(ctx)}
		if code == CodeInternal || code == CodeUnavailable {
			kv = append(kv, "err", err)
		}
		_ = logger.Log(kv...)
	}
}

// CountCalls registers nrm_<subsystem>_calls_total{method,outcome} and
// nrm_<subsystem>_call_duration_seconds{method,outcome}, and returns the
// Observer feeding them. Registering twice on one registry (two
// instances in one process) shares the collectors.
func CountCalls(reg prometheus.Registerer, subsystem, what string) (Observer, error) {
	calls, err := Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: subsystem, Name: "calls_total",
		Help: what + " calls by method and outcome code.",
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	dur, err := Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: subsystem, Name: "call_duration_seconds",
		Help: what + " call duration by method and outcome code.", Buckets: prometheus.DefBuckets,
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, method string, begin time.Time, err error) {
		code := Outcome(ctx, err)
		calls.WithLabelValues(method, code).Inc()
		dur.WithLabelValues(method, code).Observe(time.Since(begin).Seconds())
	}, nil
}

// Register registers c with reg, or returns the collector of the same
// description already there (services in one process share a registry).
// A nil reg registers nothing.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

// Decorator wraps a service of interface S in the type that reports each
// of its calls to an Observer. A service writes that type once (each
// method defers observe with its name and error, then calls next); its
// logging and instrumenting middlewares are then Logging and
// Instrumenting of it.
type Decorator[S any] func(next S, observe Observer) S

// Logging returns the middleware logging every call (LogCalls).
func (d Decorator[S]) Logging(logger log.Logger, quiet ...string) func(S) S {
	obs := LogCalls(logger, quiet...)
	return func(next S) S { return d(next, obs) }
}

// Instrumenting returns the middleware counting and timing every call
// (CountCalls).
func (d Decorator[S]) Instrumenting(reg prometheus.Registerer, subsystem, what string) (func(S) S, error) {
	obs, err := CountCalls(reg, subsystem, what)
	if err != nil {
		return nil, err
	}
	return func(next S) S { return d(next, obs) }, nil
}
