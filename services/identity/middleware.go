package identity

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

type serviceMetrics struct {
	throttled *prometheus.CounterVec
}

func newServiceMetrics(reg prometheus.Registerer) (*serviceMetrics, error) {
	c, err := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: "identity", Name: "throttled_total",
		Help: "Login and refresh attempts refused by the failure throttle before any work.",
	}, []string{"kind"}))
	if err != nil {
		return nil, err
	}
	return &serviceMetrics{throttled: c}, nil
}

// register registers c, reusing an identical collector already there.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
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

// outcome is the metric and log label of an error: its stable code, never
// its message.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return kit.AsError(err).Code
}

// LoggingMiddleware logs each call's method, outcome and duration. It
// never logs arguments: they hold emails, passwords, codes and tokens.
func LoggingMiddleware(logger log.Logger) Middleware {
	return func(next Service) Service { return &logging{next: next, log: logger, refusals: &refusalLog{}} }
}

type logging struct {
	next     Service
	log      log.Logger
	refusals *refusalLog // calls refused by a rate limit, logged per window
}

func (m *logging) done(ctx context.Context, method string, begin time.Time, err error) {
	if err != nil && kit.AsError(err).Code == kit.CodeRateLimited {
		m.refusals.add(m.log, method, time.Now())
		return
	}
	kv := []any{"method", method, "outcome", outcome(err), "took", time.Since(begin), "request_id", kit.RequestID(ctx)}
	if err != nil && kit.AsError(err) == kit.ErrInternal {
		kv = append(kv, "err", err)
	}
	_ = m.log.Log(kv...)
}

func (m *logging) CreateOrg(ctx context.Context, o NewOrg) (org Org, err error) {
	defer func(b time.Time) { m.done(ctx, "CreateOrg", b, err) }(time.Now())
	return m.next.CreateOrg(ctx, o)
}

func (m *logging) ListOrgs(ctx context.Context) (o []Org, err error) {
	defer func(b time.Time) { m.done(ctx, "ListOrgs", b, err) }(time.Now())
	return m.next.ListOrgs(ctx)
}

func (m *logging) CreateUser(ctx context.Context, n NewUser) (u User, uri string, err error) {
	defer func(b time.Time) { m.done(ctx, "CreateUser", b, err) }(time.Now())
	return m.next.CreateUser(ctx, n)
}

func (m *logging) ListUsers(ctx context.Context, orgID string) (u []User, err error) {
	defer func(b time.Time) { m.done(ctx, "ListUsers", b, err) }(time.Now())
	return m.next.ListUsers(ctx, orgID)
}

func (m *logging) DisableUser(ctx context.Context, id string) (err error) {
	defer func(b time.Time) { m.done(ctx, "DisableUser", b, err) }(time.Now())
	return m.next.DisableUser(ctx, id)
}

func (m *logging) Login(ctx context.Context, r LoginRequest) (t Tokens, err error) {
	defer func(b time.Time) { m.done(ctx, "Login", b, err) }(time.Now())
	return m.next.Login(ctx, r)
}

func (m *logging) Refresh(ctx context.Context, token string) (t Tokens, err error) {
	defer func(b time.Time) { m.done(ctx, "Refresh", b, err) }(time.Now())
	return m.next.Refresh(ctx, token)
}

func (m *logging) Logout(ctx context.Context) (err error) {
	defer func(b time.Time) { m.done(ctx, "Logout", b, err) }(time.Now())
	return m.next.Logout(ctx)
}

func (m *logging) Me(ctx context.Context) (me Me, err error) {
	defer func(b time.Time) { m.done(ctx, "Me", b, err) }(time.Now())
	return m.next.Me(ctx)
}

func (m *logging) PublicKeys(ctx context.Context) (k []PublicKey, err error) {
	defer func(b time.Time) { m.done(ctx, "PublicKeys", b, err) }(time.Now())
	return m.next.PublicKeys(ctx)
}

// RevokedSessions is polled every second by every verifier: not logged
// unless it fails.
func (m *logging) RevokedSessions(ctx context.Context, since int64) (ids []string, next int64, err error) {
	defer func(b time.Time) {
		if err != nil {
			m.done(ctx, "RevokedSessions", b, err)
		}
	}(time.Now())
	return m.next.RevokedSessions(ctx, since)
}

// InstrumentingMiddleware counts calls per method and outcome code and
// observes their duration.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	calls, err := register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: "identity", Name: "calls_total", Help: "Identity service calls by method and outcome.",
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	dur, err := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: "identity", Name: "call_duration_seconds", Help: "Identity service call duration.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method"}))
	if err != nil {
		return nil, err
	}
	return func(next Service) Service { return &instrumenting{next: next, calls: calls, dur: dur} }, nil
}

type instrumenting struct {
	next  Service
	calls *prometheus.CounterVec
	dur   *prometheus.HistogramVec
}

func (m *instrumenting) done(method string, begin time.Time, err error) {
	m.calls.WithLabelValues(method, outcome(err)).Inc()
	m.dur.WithLabelValues(method).Observe(time.Since(begin).Seconds())
}

func (m *instrumenting) CreateOrg(ctx context.Context, o NewOrg) (org Org, err error) {
	defer func(b time.Time) { m.done("CreateOrg", b, err) }(time.Now())
	return m.next.CreateOrg(ctx, o)
}

func (m *instrumenting) ListOrgs(ctx context.Context) (o []Org, err error) {
	defer func(b time.Time) { m.done("ListOrgs", b, err) }(time.Now())
	return m.next.ListOrgs(ctx)
}

func (m *instrumenting) CreateUser(ctx context.Context, n NewUser) (u User, uri string, err error) {
	defer func(b time.Time) { m.done("CreateUser", b, err) }(time.Now())
	return m.next.CreateUser(ctx, n)
}

func (m *instrumenting) ListUsers(ctx context.Context, orgID string) (u []User, err error) {
	defer func(b time.Time) { m.done("ListUsers", b, err) }(time.Now())
	return m.next.ListUsers(ctx, orgID)
}

func (m *instrumenting) DisableUser(ctx context.Context, id string) (err error) {
	defer func(b time.Time) { m.done("DisableUser", b, err) }(time.Now())
	return m.next.DisableUser(ctx, id)
}

func (m *instrumenting) Login(ctx context.Context, r LoginRequest) (t Tokens, err error) {
	defer func(b time.Time) { m.done("Login", b, err) }(time.Now())
	return m.next.Login(ctx, r)
}

func (m *instrumenting) Refresh(ctx context.Context, token string) (t Tokens, err error) {
	defer func(b time.Time) { m.done("Refresh", b, err) }(time.Now())
	return m.next.Refresh(ctx, token)
}

func (m *instrumenting) Logout(ctx context.Context) (err error) {
	defer func(b time.Time) { m.done("Logout", b, err) }(time.Now())
	return m.next.Logout(ctx)
}

func (m *instrumenting) Me(ctx context.Context) (me Me, err error) {
	defer func(b time.Time) { m.done("Me", b, err) }(time.Now())
	return m.next.Me(ctx)
}

func (m *instrumenting) PublicKeys(ctx context.Context) (k []PublicKey, err error) {
	defer func(b time.Time) { m.done("PublicKeys", b, err) }(time.Now())
	return m.next.PublicKeys(ctx)
}

func (m *instrumenting) RevokedSessions(ctx context.Context, since int64) (ids []string, next int64, err error) {
	defer func(b time.Time) { m.done("RevokedSessions", b, err) }(time.Now())
	return m.next.RevokedSessions(ctx, since)
}
