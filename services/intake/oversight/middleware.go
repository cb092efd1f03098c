package oversight

import (
	"context"
	"time"
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

func (m *logging) BreakGlass(ctx context.Context, id string, in BreakGlassInput) (b BreakGlass, err error) {
	defer func(t time.Time) { m.done(ctx, "BreakGlass", id, t, err) }(time.Now())
	return m.next.BreakGlass(ctx, id, in)
}

func (m *logging) BreakGlassList(ctx context.Context) (b []BreakGlass, err error) {
	defer func(t time.Time) { m.done(ctx, "BreakGlassList", "", t, err) }(time.Now())
	return m.next.BreakGlassList(ctx)
}

func (m *logging) ReviewBreakGlass(ctx context.Context, id string, in ReviewInput) (b BreakGlass, err error) {
	defer func(t time.Time) { m.done(ctx, "ReviewBreakGlass", "", t, err) }(time.Now())
	return m.next.ReviewBreakGlass(ctx, id, in)
}

func (m *logging) Disclose(ctx context.Context, id string, in DisclosureInput) (d Disclosure, err error) {
	defer func(t time.Time) { m.done(ctx, "Disclose", id, t, err) }(time.Now())
	return m.next.Disclose(ctx, id, in)
}

func (m *logging) Disclosures(ctx context.Context) (d []Disclosure, err error) {
	defer func(t time.Time) { m.done(ctx, "Disclosures", "", t, err) }(time.Now())
	return m.next.Disclosures(ctx)
}

func (m *logging) PlaceLegalHold(ctx context.Context, id string, in LegalHoldInput) (h LegalHold, err error) {
	defer func(t time.Time) { m.done(ctx, "PlaceLegalHold", id, t, err) }(time.Now())
	return m.next.PlaceLegalHold(ctx, id, in)
}

func (m *logging) ReleaseLegalHold(ctx context.Context, id string, in LegalHoldInput) (h LegalHold, err error) {
	defer func(t time.Time) { m.done(ctx, "ReleaseLegalHold", id, t, err) }(time.Now())
	return m.next.ReleaseLegalHold(ctx, id, in)
}

func (m *logging) AccessReport(ctx context.Context, id, lang string) (a AccessReport, err error) {
	defer func(t time.Time) { m.done(ctx, "AccessReport", id, t, err) }(time.Now())
	return m.next.AccessReport(ctx, id, lang)
}

func (m *logging) Certificate(ctx context.Context, id string) (c Certificate, err error) {
	defer func(t time.Time) { m.done(ctx, "Certificate", id, t, err) }(time.Now())
	return m.next.Certificate(ctx, id)
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

func (m *instrumenting) BreakGlass(ctx context.Context, id string, in BreakGlassInput) (b BreakGlass, err error) {
	defer func(t time.Time) { m.done(ctx, "BreakGlass", t, err) }(time.Now())
	return m.next.BreakGlass(ctx, id, in)
}

func (m *instrumenting) BreakGlassList(ctx context.Context) (b []BreakGlass, err error) {
	defer func(t time.Time) { m.done(ctx, "BreakGlassList", t, err) }(time.Now())
	return m.next.BreakGlassList(ctx)
}

func (m *instrumenting) ReviewBreakGlass(ctx context.Context, id string, in ReviewInput) (b BreakGlass, err error) {
	defer func(t time.Time) { m.done(ctx, "ReviewBreakGlass", t, err) }(time.Now())
	return m.next.ReviewBreakGlass(ctx, id, in)
}

func (m *instrumenting) Disclose(ctx context.Context, id string, in DisclosureInput) (d Disclosure, err error) {
	defer func(t time.Time) { m.done(ctx, "Disclose", t, err) }(time.Now())
	return m.next.Disclose(ctx, id, in)
}

func (m *instrumenting) Disclosures(ctx context.Context) (d []Disclosure, err error) {
	defer func(t time.Time) { m.done(ctx, "Disclosures", t, err) }(time.Now())
	return m.next.Disclosures(ctx)
}

func (m *instrumenting) PlaceLegalHold(ctx context.Context, id string, in LegalHoldInput) (h LegalHold, err error) {
	defer func(t time.Time) { m.done(ctx, "PlaceLegalHold", t, err) }(time.Now())
	return m.next.PlaceLegalHold(ctx, id, in)
}

func (m *instrumenting) ReleaseLegalHold(ctx context.Context, id string, in LegalHoldInput) (h LegalHold, err error) {
	defer func(t time.Time) { m.done(ctx, "ReleaseLegalHold", t, err) }(time.Now())
	return m.next.ReleaseLegalHold(ctx, id, in)
}

func (m *instrumenting) AccessReport(ctx context.Context, id, lang string) (a AccessReport, err error) {
	defer func(t time.Time) { m.done(ctx, "AccessReport", t, err) }(time.Now())
	return m.next.AccessReport(ctx, id, lang)
}

func (m *instrumenting) Certificate(ctx context.Context, id string) (c Certificate, err error) {
	defer func(t time.Time) { m.done(ctx, "Certificate", t, err) }(time.Now())
	return m.next.Certificate(ctx, id)
}
