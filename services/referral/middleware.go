package referral

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

// LoggingMiddleware logs each call's method, outcome code and duration.
// It never logs arguments or results: ids and codes only pass through the
// audit log.
func LoggingMiddleware(logger log.Logger) Middleware {
	return func(next Service) Service { return &logging{next: next, log: logger} }
}

type logging struct {
	next Service
	log  log.Logger
}

// outcome is the stable code of err: "ok", or the error's code.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return kit.AsError(err).Code
}

func (m *logging) done(ctx context.Context, method string, begin time.Time, err error) {
	kv := []any{"method", method, "outcome", outcome(err), "took", time.Since(begin), "request_id", kit.RequestID(ctx)}
	if err != nil && kit.AsError(err) == kit.ErrInternal {
		kv = append(kv, "err", err)
	}
	_ = m.log.Log(kv...)
}

func (m *logging) CreateReferral(ctx context.Context, r NewReferral) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "CreateReferral", b, err) }(time.Now())
	return m.next.CreateReferral(ctx, r)
}

func (m *logging) GetReferral(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "GetReferral", b, err) }(time.Now())
	return m.next.GetReferral(ctx, id)
}

func (m *logging) Accept(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Accept", b, err) }(time.Now())
	return m.next.Accept(ctx, id)
}

func (m *logging) Decline(ctx context.Context, id string, in DeclineInput) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Decline", b, err) }(time.Now())
	return m.next.Decline(ctx, id, in)
}

func (m *logging) Arrive(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Arrive", b, err) }(time.Now())
	return m.next.Arrive(ctx, id)
}

func (m *logging) Complete(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Complete", b, err) }(time.Now())
	return m.next.Complete(ctx, id)
}

func (m *logging) Leave(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Leave", b, err) }(time.Now())
	return m.next.Leave(ctx, id)
}

func (m *logging) Approve(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Approve", b, err) }(time.Now())
	return m.next.Approve(ctx, id)
}

func (m *logging) RotateWebhookSecret(ctx context.Context, orgID string) (r0 WebhookSecretInfo, err error) {
	defer func(b time.Time) { m.done(ctx, "RotateWebhookSecret", b, err) }(time.Now())
	return m.next.RotateWebhookSecret(ctx, orgID)
}

func (m *logging) Withdraw(ctx context.Context, id string, in WithdrawInput) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Withdraw", b, err) }(time.Now())
	return m.next.Withdraw(ctx, id, in)
}

func (m *logging) Inbox(ctx context.Context) (r0 []Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Inbox", b, err) }(time.Now())
	return m.next.Inbox(ctx)
}

func (m *logging) Sent(ctx context.Context) (r0 []Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Sent", b, err) }(time.Now())
	return m.next.Sent(ctx)
}

func (m *logging) Board(ctx context.Context) (r0 Board, err error) {
	defer func(b time.Time) { m.done(ctx, "Board", b, err) }(time.Now())
	return m.next.Board(ctx)
}

func (m *logging) Candidates(ctx context.Context, id string) (r0 []Candidate, err error) {
	defer func(b time.Time) { m.done(ctx, "Candidates", b, err) }(time.Now())
	return m.next.Candidates(ctx, id)
}

func (m *logging) Place(ctx context.Context, id string, in PlaceInput) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Place", b, err) }(time.Now())
	return m.next.Place(ctx, id, in)
}

func (m *logging) Route(ctx context.Context, q RouteQuery) (r0 []Candidate, err error) {
	defer func(b time.Time) { m.done(ctx, "Route", b, err) }(time.Now())
	return m.next.Route(ctx, q)
}

func (m *logging) Notifications(ctx context.Context, after int64) (r0 []Notification, err error) {
	defer func(b time.Time) { m.done(ctx, "Notifications", b, err) }(time.Now())
	return m.next.Notifications(ctx, after)
}

func (m *logging) Package(ctx context.Context, id string) (r0 DisclosurePackage, err error) {
	defer func(b time.Time) { m.done(ctx, "Package", b, err) }(time.Now())
	return m.next.Package(ctx, id)
}

func (m *logging) GetProvider(ctx context.Context, orgID string) (r0 Provider, err error) {
	defer func(b time.Time) { m.done(ctx, "GetProvider", b, err) }(time.Now())
	return m.next.GetProvider(ctx, orgID)
}

func (m *logging) PutProvider(ctx context.Context, orgID string, p ProviderInput) (r0 Provider, err error) {
	defer func(b time.Time) { m.done(ctx, "PutProvider", b, err) }(time.Now())
	return m.next.PutProvider(ctx, orgID, p)
}

func (m *logging) SetCapacity(ctx context.Context, orgID, service string, places int) (r0 Provider, err error) {
	defer func(b time.Time) { m.done(ctx, "SetCapacity", b, err) }(time.Now())
	return m.next.SetCapacity(ctx, orgID, service, places)
}

func (m *logging) ListProviders(ctx context.Context, service, region string) (r0 []Provider, err error) {
	defer func(b time.Time) { m.done(ctx, "ListProviders", b, err) }(time.Now())
	return m.next.ListProviders(ctx, service, region)
}

func (m *logging) ExportHSDS(ctx context.Context) (r0 HSDSDocument, err error) {
	defer func(b time.Time) { m.done(ctx, "ExportHSDS", b, err) }(time.Now())
	return m.next.ExportHSDS(ctx)
}

func (m *logging) ImportHSDS(ctx context.Context, d HSDSDocument) (r0 int, err error) {
	defer func(b time.Time) { m.done(ctx, "ImportHSDS", b, err) }(time.Now())
	return m.next.ImportHSDS(ctx, d)
}

// InstrumentingMiddleware counts calls and their durations by method and
// outcome code. No other label: ids, organisations and codes of a case
// never become metric labels.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	calls, err := registerCollector(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: "referral", Name: "calls_total", Help: "Referral service calls by method and outcome.",
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	dur, err := registerCollector(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: "referral", Name: "call_duration_seconds",
		Help: "Referral service call duration by method and outcome.", Buckets: prometheus.DefBuckets,
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	return func(next Service) Service { return &instrumenting{next: next, calls: calls, dur: dur} }, nil
}

// registerCollector registers c, or returns the one already registered
// under its name (two services in one process share a registry).
func registerCollector[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
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

type instrumenting struct {
	next  Service
	calls *prometheus.CounterVec
	dur   *prometheus.HistogramVec
}

func (m *instrumenting) done(method string, begin time.Time, err error) {
	o := outcome(err)
	m.calls.WithLabelValues(method, o).Inc()
	m.dur.WithLabelValues(method, o).Observe(time.Since(begin).Seconds())
}

func (m *instrumenting) CreateReferral(ctx context.Context, r NewReferral) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("CreateReferral", b, err) }(time.Now())
	return m.next.CreateReferral(ctx, r)
}

func (m *instrumenting) GetReferral(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("GetReferral", b, err) }(time.Now())
	return m.next.GetReferral(ctx, id)
}

func (m *instrumenting) Accept(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Accept", b, err) }(time.Now())
	return m.next.Accept(ctx, id)
}

func (m *instrumenting) Decline(ctx context.Context, id string, in DeclineInput) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Decline", b, err) }(time.Now())
	return m.next.Decline(ctx, id, in)
}

func (m *instrumenting) Arrive(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Arrive", b, err) }(time.Now())
	return m.next.Arrive(ctx, id)
}

func (m *instrumenting) Complete(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Complete", b, err) }(time.Now())
	return m.next.Complete(ctx, id)
}

func (m *instrumenting) Leave(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Leave", b, err) }(time.Now())
	return m.next.Leave(ctx, id)
}

func (m *instrumenting) Approve(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Approve", b, err) }(time.Now())
	return m.next.Approve(ctx, id)
}

func (m *instrumenting) RotateWebhookSecret(ctx context.Context, orgID string) (r0 WebhookSecretInfo, err error) {
	defer func(b time.Time) { m.done("RotateWebhookSecret", b, err) }(time.Now())
	return m.next.RotateWebhookSecret(ctx, orgID)
}

func (m *instrumenting) Withdraw(ctx context.Context, id string, in WithdrawInput) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Withdraw", b, err) }(time.Now())
	return m.next.Withdraw(ctx, id, in)
}

func (m *instrumenting) Inbox(ctx context.Context) (r0 []Referral, err error) {
	defer func(b time.Time) { m.done("Inbox", b, err) }(time.Now())
	return m.next.Inbox(ctx)
}

func (m *instrumenting) Sent(ctx context.Context) (r0 []Referral, err error) {
	defer func(b time.Time) { m.done("Sent", b, err) }(time.Now())
	return m.next.Sent(ctx)
}

func (m *instrumenting) Board(ctx context.Context) (r0 Board, err error) {
	defer func(b time.Time) { m.done("Board", b, err) }(time.Now())
	return m.next.Board(ctx)
}

func (m *instrumenting) Candidates(ctx context.Context, id string) (r0 []Candidate, err error) {
	defer func(b time.Time) { m.done("Candidates", b, err) }(time.Now())
	return m.next.Candidates(ctx, id)
}

func (m *instrumenting) Place(ctx context.Context, id string, in PlaceInput) (r0 Referral, err error) {
	defer func(b time.Time) { m.done("Place", b, err) }(time.Now())
	return m.next.Place(ctx, id, in)
}

func (m *instrumenting) Route(ctx context.Context, q RouteQuery) (r0 []Candidate, err error) {
	defer func(b time.Time) { m.done("Route", b, err) }(time.Now())
	return m.next.Route(ctx, q)
}

func (m *instrumenting) Notifications(ctx context.Context, after int64) (r0 []Notification, err error) {
	defer func(b time.Time) { m.done("Notifications", b, err) }(time.Now())
	return m.next.Notifications(ctx, after)
}

func (m *instrumenting) Package(ctx context.Context, id string) (r0 DisclosurePackage, err error) {
	defer func(b time.Time) { m.done("Package", b, err) }(time.Now())
	return m.next.Package(ctx, id)
}

func (m *instrumenting) GetProvider(ctx context.Context, orgID string) (r0 Provider, err error) {
	defer func(b time.Time) { m.done("GetProvider", b, err) }(time.Now())
	return m.next.GetProvider(ctx, orgID)
}

func (m *instrumenting) PutProvider(ctx context.Context, orgID string, p ProviderInput) (r0 Provider, err error) {
	defer func(b time.Time) { m.done("PutProvider", b, err) }(time.Now())
	return m.next.PutProvider(ctx, orgID, p)
}

func (m *instrumenting) SetCapacity(ctx context.Context, orgID, service string, places int) (r0 Provider, err error) {
	defer func(b time.Time) { m.done("SetCapacity", b, err) }(time.Now())
	return m.next.SetCapacity(ctx, orgID, service, places)
}

func (m *instrumenting) ListProviders(ctx context.Context, service, region string) (r0 []Provider, err error) {
	defer func(b time.Time) { m.done("ListProviders", b, err) }(time.Now())
	return m.next.ListProviders(ctx, service, region)
}

func (m *instrumenting) ExportHSDS(ctx context.Context) (r0 HSDSDocument, err error) {
	defer func(b time.Time) { m.done("ExportHSDS", b, err) }(time.Now())
	return m.next.ExportHSDS(ctx)
}

func (m *instrumenting) ImportHSDS(ctx context.Context, d HSDSDocument) (r0 int, err error) {
	defer func(b time.Time) { m.done("ImportHSDS", b, err) }(time.Now())
	return m.next.ImportHSDS(ctx, d)
}
