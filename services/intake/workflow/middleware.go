package workflow

import (
	"context"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// Middleware decorates a Service.
type Middleware func(Service) Service

// LoggingMiddleware logs each call through done (intake's logger: the
// method, the case id and the outcome, never the reasons or content).
func LoggingMiddleware(done func(ctx context.Context, method, caseID string, begin time.Time, err error)) Middleware {
	return func(next Service) Service { return &logging{next: next, done: done} }
}

type logging struct {
	next Service
	done func(ctx context.Context, method, caseID string, begin time.Time, err error)
}

func (m *logging) Transition(ctx context.Context, id string, t casefile.TransitionRequest) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Transition", id, b, err) }(time.Now())
	return m.next.Transition(ctx, id, t)
}

func (m *logging) SupportTransition(ctx context.Context, id string, t casefile.TransitionRequest) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "SupportTransition", id, b, err) }(time.Now())
	return m.next.SupportTransition(ctx, id, t)
}

func (m *logging) Workflow(ctx context.Context, id string) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Workflow", id, b, err) }(time.Now())
	return m.next.Workflow(ctx, id)
}

func (m *logging) DecisionQueue(ctx context.Context) (q []casefile.QueueItem, err error) {
	defer func(b time.Time) { m.done(ctx, "DecisionQueue", "", b, err) }(time.Now())
	return m.next.DecisionQueue(ctx)
}

func (m *logging) AddEntry(ctx context.Context, id string, in casefile.EntryInput) (e casefile.Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "AddEntry", id, b, err) }(time.Now())
	return m.next.AddEntry(ctx, id, in)
}

func (m *logging) Entries(ctx context.Context, id string) (e []casefile.Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "Entries", id, b, err) }(time.Now())
	return m.next.Entries(ctx, id)
}

func (m *logging) AppointGuardian(ctx context.Context, id string, g casefile.GuardianInput) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "AppointGuardian", id, b, err) }(time.Now())
	return m.next.AppointGuardian(ctx, id, g)
}

func (m *logging) ChangeRoute(ctx context.Context, id string, in RouteChange) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "ChangeRoute", id, b, err) }(time.Now())
	return m.next.ChangeRoute(ctx, id, in)
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

func (m *instrumenting) Transition(ctx context.Context, id string, t casefile.TransitionRequest) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Transition", b, err) }(time.Now())
	return m.next.Transition(ctx, id, t)
}

func (m *instrumenting) SupportTransition(ctx context.Context, id string, t casefile.TransitionRequest) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "SupportTransition", b, err) }(time.Now())
	return m.next.SupportTransition(ctx, id, t)
}

func (m *instrumenting) Workflow(ctx context.Context, id string) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Workflow", b, err) }(time.Now())
	return m.next.Workflow(ctx, id)
}

func (m *instrumenting) DecisionQueue(ctx context.Context) (q []casefile.QueueItem, err error) {
	defer func(b time.Time) { m.done(ctx, "DecisionQueue", b, err) }(time.Now())
	return m.next.DecisionQueue(ctx)
}

func (m *instrumenting) AddEntry(ctx context.Context, id string, in casefile.EntryInput) (e casefile.Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "AddEntry", b, err) }(time.Now())
	return m.next.AddEntry(ctx, id, in)
}

func (m *instrumenting) Entries(ctx context.Context, id string) (e []casefile.Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "Entries", b, err) }(time.Now())
	return m.next.Entries(ctx, id)
}

func (m *instrumenting) AppointGuardian(ctx context.Context, id string, g casefile.GuardianInput) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "AppointGuardian", b, err) }(time.Now())
	return m.next.AppointGuardian(ctx, id, g)
}

func (m *instrumenting) ChangeRoute(ctx context.Context, id string, in RouteChange) (w casefile.Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "ChangeRoute", b, err) }(time.Now())
	return m.next.ChangeRoute(ctx, id, in)
}
