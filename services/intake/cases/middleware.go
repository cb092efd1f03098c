package cases

import (
	"context"
	"time"
)

// Logging decorates next: done is called once per call with the method,
// the case id and the outcome (the intake service's logging middleware,
// which says what is logged).
func Logging(next Service, done func(ctx context.Context, method, caseID string, begin time.Time, err error)) Service {
	return &logging{next: next, done: done}
}

type logging struct {
	next Service
	done func(ctx context.Context, method, caseID string, begin time.Time, err error)
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

func (m *logging) Duplicates(ctx context.Context, q ListQuery) (p DuplicatePage, err error) {
	defer func(b time.Time) { m.done(ctx, "Duplicates", "", b, err) }(time.Now())
	return m.next.Duplicates(ctx, q)
}

func (m *logging) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (d Duplicate, err error) {
	defer func(b time.Time) { m.done(ctx, "ConfirmDuplicate", "", b, err) }(time.Now())
	return m.next.ConfirmDuplicate(ctx, duplicateID, samePerson)
}

// Instrumenting decorates next: done is called once per call with the
// method and the outcome (the intake service's instrumenting middleware,
// which says what is counted).
func Instrumenting(next Service, done func(ctx context.Context, method string, begin time.Time, err error)) Service {
	return &instrumenting{next: next, done: done}
}

func (m *logging) CaseView(ctx context.Context, id string, parts CaseParts) (v CaseView, err error) {
	defer func(b time.Time) { m.done(ctx, "CaseView", id, b, err) }(time.Now())
	return m.next.CaseView(ctx, id, parts)
}

type instrumenting struct {
	next Service
	done func(ctx context.Context, method string, begin time.Time, err error)
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

func (m *instrumenting) Duplicates(ctx context.Context, q ListQuery) (p DuplicatePage, err error) {
	defer func(b time.Time) { m.done(ctx, "Duplicates", b, err) }(time.Now())
	return m.next.Duplicates(ctx, q)
}

func (m *instrumenting) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (d Duplicate, err error) {
	defer func(b time.Time) { m.done(ctx, "ConfirmDuplicate", b, err) }(time.Now())
	return m.next.ConfirmDuplicate(ctx, duplicateID, samePerson)
}

func (m *instrumenting) CaseView(ctx context.Context, id string, parts CaseParts) (v CaseView, err error) {
	defer func(b time.Time) { m.done(ctx, "CaseView", b, err) }(time.Now())
	return m.next.CaseView(ctx, id, parts)
}
