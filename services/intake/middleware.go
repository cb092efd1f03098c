package intake

import (
	"context"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Middleware decorates a Service.
type Middleware func(Service) Service

// LoggingMiddleware logs each call's method, case id, outcome code and
// duration. Nothing else of a call is logged, not even an error's text:
// registrations, consents and grants carry what must never leave
// intake's memory.
func LoggingMiddleware(logger log.Logger) Middleware {
	return func(next Service) Service {
		m := &logging{next: next, log: logger}
		m.Workflows = workflow.LoggingMiddleware(m.done)(next)
		return m
	}
}

type logging struct {
	next Service
	log  log.Logger
	// Workflows logs the workflow's calls (package workflow's middleware).
	Workflows
}

func (m *logging) done(ctx context.Context, method, caseID string, begin time.Time, err error) {
	kv := []any{"method", method}
	if casefile.ValidID(caseID) { // an id as passed in-process, unchecked, is not logged
		kv = append(kv, "case_id", caseID)
	}
	kv = append(kv, "outcome", outcome(ctx, err), "took", time.Since(begin), "request_id", kit.RequestID(ctx))
	_ = m.log.Log(kv...)
}

func (m *logging) Register(ctx context.Context, r Registration) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Register", c.ID, b, err) }(time.Now())
	return m.next.Register(ctx, r)
}

func (m *logging) UpdateDraft(ctx context.Context, id string, r Registration) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "UpdateDraft", id, b, err) }(time.Now())
	return m.next.UpdateDraft(ctx, id, r)
}

func (m *logging) Finalize(ctx context.Context, id string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Finalize", id, b, err) }(time.Now())
	return m.next.Finalize(ctx, id)
}

func (m *logging) Get(ctx context.Context, id string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Get", id, b, err) }(time.Now())
	return m.next.Get(ctx, id)
}

func (m *logging) List(ctx context.Context, q ListQuery) (p CasePage, err error) {
	defer func(b time.Time) { m.done(ctx, "List", "", b, err) }(time.Now())
	return m.next.List(ctx, q)
}

func (m *logging) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "RecordConsent", caseID, b, err) }(time.Now())
	return m.next.RecordConsent(ctx, caseID, in)
}

func (m *logging) Submit(ctx context.Context, caseID string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Submit", caseID, b, err) }(time.Now())
	return m.next.Submit(ctx, caseID)
}

func (m *logging) Transfer(ctx context.Context, caseID, toOrg string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Transfer", caseID, b, err) }(time.Now())
	return m.next.Transfer(ctx, caseID, toOrg)
}

func (m *logging) LinkNotification(ctx context.Context, caseID, notificationID string) (err error) {
	defer func(b time.Time) { m.done(ctx, "LinkNotification", caseID, b, err) }(time.Now())
	return m.next.LinkNotification(ctx, caseID, notificationID)
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

func (m *logging) Duplicates(ctx context.Context, q ListQuery) (p DuplicatePage, err error) {
	defer func(b time.Time) { m.done(ctx, "Duplicates", "", b, err) }(time.Now())
	return m.next.Duplicates(ctx, q)
}

func (m *logging) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (d Duplicate, err error) {
	defer func(b time.Time) { m.done(ctx, "ConfirmDuplicate", "", b, err) }(time.Now())
	return m.next.ConfirmDuplicate(ctx, duplicateID, samePerson)
}

// InstrumentingMiddleware counts calls per method and outcome code and
// observes their duration per method and outcome. No other label: a case
// id or an organisation would make the metrics a register of cases.
func InstrumentingMiddleware(reg prometheus.Registerer) (Middleware, error) {
	calls, err := kit.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "nrm", Subsystem: "intake", Name: "calls_total", Help: "Intake service calls by method and outcome.",
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	dur, err := kit.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: "intake", Name: "call_duration_seconds", Help: "Intake service call duration by method and outcome.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "outcome"}))
	if err != nil {
		return nil, err
	}
	return func(next Service) Service {
		m := &instrumenting{next: next, calls: calls, dur: dur}
		m.Workflows = workflow.InstrumentingMiddleware(m.done)(next)
		return m
	}, nil
}

type instrumenting struct {
	next  Service
	calls *prometheus.CounterVec
	dur   *prometheus.HistogramVec
	// Workflows counts the workflow's calls (package workflow's middleware).
	Workflows
}

func (m *instrumenting) done(ctx context.Context, method string, begin time.Time, err error) {
	o := outcome(ctx, err)
	m.calls.WithLabelValues(method, o).Inc()
	m.dur.WithLabelValues(method, o).Observe(time.Since(begin).Seconds())
}

func (m *instrumenting) Register(ctx context.Context, r Registration) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Register", b, err) }(time.Now())
	return m.next.Register(ctx, r)
}

func (m *instrumenting) UpdateDraft(ctx context.Context, id string, r Registration) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "UpdateDraft", b, err) }(time.Now())
	return m.next.UpdateDraft(ctx, id, r)
}

func (m *instrumenting) Finalize(ctx context.Context, id string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Finalize", b, err) }(time.Now())
	return m.next.Finalize(ctx, id)
}

func (m *instrumenting) Get(ctx context.Context, id string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Get", b, err) }(time.Now())
	return m.next.Get(ctx, id)
}

func (m *instrumenting) List(ctx context.Context, q ListQuery) (p CasePage, err error) {
	defer func(b time.Time) { m.done(ctx, "List", b, err) }(time.Now())
	return m.next.List(ctx, q)
}

func (m *instrumenting) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "RecordConsent", b, err) }(time.Now())
	return m.next.RecordConsent(ctx, caseID, in)
}

func (m *instrumenting) Submit(ctx context.Context, caseID string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Submit", b, err) }(time.Now())
	return m.next.Submit(ctx, caseID)
}

func (m *instrumenting) Transfer(ctx context.Context, caseID, toOrg string) (c Case, err error) {
	defer func(b time.Time) { m.done(ctx, "Transfer", b, err) }(time.Now())
	return m.next.Transfer(ctx, caseID, toOrg)
}

func (m *instrumenting) LinkNotification(ctx context.Context, caseID, notificationID string) (err error) {
	defer func(b time.Time) { m.done(ctx, "LinkNotification", b, err) }(time.Now())
	return m.next.LinkNotification(ctx, caseID, notificationID)
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

func (m *instrumenting) Duplicates(ctx context.Context, q ListQuery) (p DuplicatePage, err error) {
	defer func(b time.Time) { m.done(ctx, "Duplicates", b, err) }(time.Now())
	return m.next.Duplicates(ctx, q)
}

func (m *instrumenting) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (d Duplicate, err error) {
	defer func(b time.Time) { m.done(ctx, "ConfirmDuplicate", b, err) }(time.Now())
	return m.next.ConfirmDuplicate(ctx, duplicateID, samePerson)
}
