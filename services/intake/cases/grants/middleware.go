package grants

import (
	"context"
	"time"
)

// Middleware decorates a Service.
type Middleware func(Service) Service

// LoggingMiddleware logs each call through done (intake's logger: the
// method, the case id and the outcome, never the request's content).
func LoggingMiddleware(done func(ctx context.Context, method, caseID string, begin time.Time, err error)) Middleware {
	return func(next Service) Service { return &logging{next: next, done: done} }
}

type logging struct {
	next Service
	done func(ctx context.Context, method, caseID string, begin time.Time, err error)
}

func (m *logging) GrantPending(ctx context.Context, g GrantRequest) (gr Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "GrantPending", g.CaseID, b, err) }(time.Now())
	return m.next.GrantPending(ctx, g)
}

func (m *logging) EndGrant(ctx context.Context, caseID, grantID string) (g Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "EndGrant", caseID, b, err) }(time.Now())
	return m.next.EndGrant(ctx, caseID, grantID)
}

func (m *logging) ActivateGrant(ctx context.Context, caseID, grantID string) (g Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "ActivateGrant", caseID, b, err) }(time.Now())
	return m.next.ActivateGrant(ctx, caseID, grantID)
}

func (m *logging) RevokeGrant(ctx context.Context, caseID, grantID string) (err error) {
	defer func(b time.Time) { m.done(ctx, "RevokeGrant", caseID, b, err) }(time.Now())
	return m.next.RevokeGrant(ctx, caseID, grantID)
}

func (m *logging) ListGrants(ctx context.Context, caseID string) (g []Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "ListGrants", caseID, b, err) }(time.Now())
	return m.next.ListGrants(ctx, caseID)
}

// InstrumentingMiddleware counts and times each call through done
// (intake's metrics, labelled by method and outcome only).
func InstrumentingMiddleware(done func(ctx context.Context, method string, begin time.Time, err error)) Middleware {
	return func(next Service) Service { return &instrumenting{next: next, done: done} }
}

type instrumenting struct {
	next Service
	done func(ctx context.Context, method string, begin time.Time, err error)
}

func (m *instrumenting) GrantPending(ctx context.Context, g GrantRequest) (gr Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "GrantPending", b, err) }(time.Now())
	return m.next.GrantPending(ctx, g)
}

func (m *instrumenting) EndGrant(ctx context.Context, caseID, grantID string) (g Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "EndGrant", b, err) }(time.Now())
	return m.next.EndGrant(ctx, caseID, grantID)
}

func (m *instrumenting) ActivateGrant(ctx context.Context, caseID, grantID string) (g Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "ActivateGrant", b, err) }(time.Now())
	return m.next.ActivateGrant(ctx, caseID, grantID)
}

func (m *instrumenting) RevokeGrant(ctx context.Context, caseID, grantID string) (err error) {
	defer func(b time.Time) { m.done(ctx, "RevokeGrant", b, err) }(time.Now())
	return m.next.RevokeGrant(ctx, caseID, grantID)
}

func (m *instrumenting) ListGrants(ctx context.Context, caseID string) (g []Grant, err error) {
	defer func(b time.Time) { m.done(ctx, "ListGrants", b, err) }(time.Now())
	return m.next.ListGrants(ctx, caseID)
}
