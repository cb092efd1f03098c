package referral

import (
	"context"
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
func LoggingMiddleware(logger log.Logger) Middleware { return decorate.Logging(logger) }

// InstrumentingMiddleware counts calls and their durations by method and
// outcome code.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	return decorate.Instrumenting(reg, "referral", "Referral service")
}

var decorate kit.Decorator[Service] = func(next Service, observe kit.Observer) Service {
	return &observed{next: next, observe: observe}
}

// observed reports every call to an Observer (kit.Decorator).
type observed struct {
	next    Service
	observe kit.Observer
}

func (m *observed) CreateReferral(ctx context.Context, r NewReferral) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "CreateReferral", begin, err) }(time.Now())
	return m.next.CreateReferral(ctx, r)
}

func (m *observed) GetReferral(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "GetReferral", begin, err) }(time.Now())
	return m.next.GetReferral(ctx, id)
}

func (m *observed) Accept(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Accept", begin, err) }(time.Now())
	return m.next.Accept(ctx, id)
}

func (m *observed) Decline(ctx context.Context, id string, in DeclineInput) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Decline", begin, err) }(time.Now())
	return m.next.Decline(ctx, id, in)
}

func (m *observed) Arrive(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Arrive", begin, err) }(time.Now())
	return m.next.Arrive(ctx, id)
}

func (m *observed) Complete(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Complete", begin, err) }(time.Now())
	return m.next.Complete(ctx, id)
}

func (m *observed) Leave(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Leave", begin, err) }(time.Now())
	return m.next.Leave(ctx, id)
}

func (m *observed) Approve(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Approve", begin, err) }(time.Now())
	return m.next.Approve(ctx, id)
}

func (m *observed) RotateWebhookSecret(ctx context.Context, orgID string) (r0 WebhookSecretInfo, err error) {
	defer func(begin time.Time) { m.observe(ctx, "RotateWebhookSecret", begin, err) }(time.Now())
	return m.next.RotateWebhookSecret(ctx, orgID)
}

func (m *observed) Withdraw(ctx context.Context, id string, in WithdrawInput) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Withdraw", begin, err) }(time.Now())
	return m.next.Withdraw(ctx, id, in)
}

func (m *observed) Inbox(ctx context.Context) (r0 []Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Inbox", begin, err) }(time.Now())
	return m.next.Inbox(ctx)
}

func (m *observed) Sent(ctx context.Context) (r0 []Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Sent", begin, err) }(time.Now())
	return m.next.Sent(ctx)
}

func (m *observed) Board(ctx context.Context) (r0 Board, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Board", begin, err) }(time.Now())
	return m.next.Board(ctx)
}

func (m *observed) Candidates(ctx context.Context, id string) (r0 []Candidate, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Candidates", begin, err) }(time.Now())
	return m.next.Candidates(ctx, id)
}

func (m *observed) Place(ctx context.Context, id string, in PlaceInput) (r0 Referral, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Place", begin, err) }(time.Now())
	return m.next.Place(ctx, id, in)
}

func (m *observed) Route(ctx context.Context, q RouteQuery) (r0 []Candidate, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Route", begin, err) }(time.Now())
	return m.next.Route(ctx, q)
}

func (m *observed) Notifications(ctx context.Context, after int64) (r0 []Notification, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Notifications", begin, err) }(time.Now())
	return m.next.Notifications(ctx, after)
}

func (m *observed) Package(ctx context.Context, id string) (r0 DisclosurePackage, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Package", begin, err) }(time.Now())
	return m.next.Package(ctx, id)
}

func (m *observed) GetProvider(ctx context.Context, orgID string) (r0 Provider, err error) {
	defer func(begin time.Time) { m.observe(ctx, "GetProvider", begin, err) }(time.Now())
	return m.next.GetProvider(ctx, orgID)
}

func (m *observed) PutProvider(ctx context.Context, orgID string, p ProviderInput) (r0 Provider, err error) {
	defer func(begin time.Time) { m.observe(ctx, "PutProvider", begin, err) }(time.Now())
	return m.next.PutProvider(ctx, orgID, p)
}

func (m *observed) SetCapacity(ctx context.Context, orgID, service string, places int) (r0 Provider, err error) {
	defer func(begin time.Time) { m.observe(ctx, "SetCapacity", begin, err) }(time.Now())
	return m.next.SetCapacity(ctx, orgID, service, places)
}

func (m *observed) ListProviders(ctx context.Context, service, region string) (r0 []Provider, err error) {
	defer func(begin time.Time) { m.observe(ctx, "ListProviders", begin, err) }(time.Now())
	return m.next.ListProviders(ctx, service, region)
}

func (m *observed) ExportHSDS(ctx context.Context) (r0 HSDSDocument, err error) {
	defer func(begin time.Time) { m.observe(ctx, "ExportHSDS", begin, err) }(time.Now())
	return m.next.ExportHSDS(ctx)
}

func (m *observed) ImportHSDS(ctx context.Context, d HSDSDocument) (r0 int, err error) {
	defer func(begin time.Time) { m.observe(ctx, "ImportHSDS", begin, err) }(time.Now())
	return m.next.ImportHSDS(ctx, d)
}
