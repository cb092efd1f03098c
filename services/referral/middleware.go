package referral

import (
	"context"
	"time"

	"github.com/go-kit/log"

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

func (m *logging) done(ctx context.Context, method string, begin time.Time, err error) {
	code := "ok"
	if err != nil {
		code = kit.AsError(err).Code
	}
	kv := []any{"method", method, "outcome", code, "took", time.Since(begin), "request_id", kit.RequestID(ctx)}
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

func (m *logging) Decline(ctx context.Context, id, reason string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Decline", b, err) }(time.Now())
	return m.next.Decline(ctx, id, reason)
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

func (m *logging) Withdraw(ctx context.Context, id string) (r0 Referral, err error) {
	defer func(b time.Time) { m.done(ctx, "Withdraw", b, err) }(time.Now())
	return m.next.Withdraw(ctx, id)
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

func (m *logging) Route(ctx context.Context, q RouteQuery) (r0 []Candidate, err error) {
	defer func(b time.Time) { m.done(ctx, "Route", b, err) }(time.Now())
	return m.next.Route(ctx, q)
}

func (m *logging) Notifications(ctx context.Context, after int64) (r0 []Notification, err error) {
	defer func(b time.Time) { m.done(ctx, "Notifications", b, err) }(time.Now())
	return m.next.Notifications(ctx, after)
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
