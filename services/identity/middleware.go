package identity

import (
	"context"
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

var decorate kit.Decorator[Service] = func(next Service, observe kit.Observer) Service {
	return &observed{next: next, observe: observe}
}

// observed reports every call to an Observer (kit.Decorator).
type observed struct {
	next    Service
	observe kit.Observer
}

func (m *observed) CreateOrg(ctx context.Context, o NewOrg) (org Org, err error) {
	defer func(begin time.Time) { m.observe(ctx, "CreateOrg", begin, err) }(time.Now())
	return m.next.CreateOrg(ctx, o)
}

func (m *observed) ListOrgs(ctx context.Context) (o []Org, err error) {
	defer func(begin time.Time) { m.observe(ctx, "ListOrgs", begin, err) }(time.Now())
	return m.next.ListOrgs(ctx)
}

func (m *observed) CreateUser(ctx context.Context, n NewUser) (u User, uri string, err error) {
	defer func(begin time.Time) { m.observe(ctx, "CreateUser", begin, err) }(time.Now())
	return m.next.CreateUser(ctx, n)
}

func (m *observed) ListUsers(ctx context.Context, orgID string) (u []User, err error) {
	defer func(begin time.Time) { m.observe(ctx, "ListUsers", begin, err) }(time.Now())
	return m.next.ListUsers(ctx, orgID)
}

func (m *observed) DisableUser(ctx context.Context, id string) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "DisableUser", begin, err) }(time.Now())
	return m.next.DisableUser(ctx, id)
}

func (m *observed) Login(ctx context.Context, r LoginRequest) (t Tokens, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Login", begin, err) }(time.Now())
	return m.next.Login(ctx, r)
}

func (m *observed) Refresh(ctx context.Context, token string) (t Tokens, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Refresh", begin, err) }(time.Now())
	return m.next.Refresh(ctx, token)
}

func (m *observed) Logout(ctx context.Context) (err error) {
	defer func(begin time.Time) { m.observe(ctx, "Logout", begin, err) }(time.Now())
	return m.next.Logout(ctx)
}

func (m *observed) Me(ctx context.Context) (me Me, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Me", begin, err) }(time.Now())
	return m.next.Me(ctx)
}

func (m *observed) PublicKeys(ctx context.Context) (k []PublicKey, err error) {
	defer func(begin time.Time) { m.observe(ctx, "PublicKeys", begin, err) }(time.Now())
	return m.next.PublicKeys(ctx)
}

func (m *observed) RevokedSessions(ctx context.Context, since int64) (ids []string, next int64, err error) {
	defer func(begin time.Time) { m.observe(ctx, "RevokedSessions", begin, err) }(time.Now())
	return m.next.RevokedSessions(ctx, since)
}
