package kit

import (
	"context"
	"errors"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrCode is the stable code of err for logs and metric labels: never the
// message, never a value. A nil error is "ok".
func ErrCode(err error) string {
	if err == nil {
		return "ok"
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Observer is told of every call of a service method: the shape shared by
// the logging and instrumenting middlewares.
type Observer func(ctx context.Context, method string, begin time.Time, err error)

// LogCalls returns an Observer logging method, request id, outcome code
// and duration; the error text only for internal errors (which never carry
// personal data: services wrap with ids and codes only).
func LogCalls(logger log.Logger) Observer {
	return func(ctx context.Context, method string, begin time.Time, err error) {
		code := ErrCode(err)
		kv := []any{"method", method, "request_id", RequestID(ctx), "code", code, "took", time.Since(begin)}
		if code == CodeInternal {
			kv = append(kv, "err", err)
		}
		logger.Log(kv...)
	}
}

// TimeCalls registers a histogram nrm_<subsystem>_request_duration_seconds
// labelled by method and outcome code, and returns the Observer feeding it.
func TimeCalls(reg prometheus.Registerer, subsystem, help string) (Observer, error) {
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: subsystem, Name: "request_duration_seconds", Help: help,
	}, []string{"method", "code"})
	if err := reg.Register(dur); err != nil {
		return nil, err
	}
	return func(_ context.Context, method string, begin time.Time, err error) {
		dur.WithLabelValues(method, ErrCode(err)).Observe(time.Since(begin).Seconds())
	}, nil
}
