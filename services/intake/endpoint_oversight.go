package intake

import (
	"context"
	"encoding/json"
	"time"

	"github.com/go-kit/kit/endpoint"
)

// Casbin objects of the oversight endpoints (policies/policy.csv).
const (
	ObjectBreakGlass    = "intake.break_glass"
	ObjectDisclosures   = "intake.disclosures"
	ObjectLegalHolds    = "intake.legal_holds"
	ObjectAccessReports = "intake.access_reports"
	ObjectCertificates  = "intake.certificates"
)

// OversightEndpoints are the endpoints of Oversight.
type OversightEndpoints struct {
	BreakGlass, BreakGlassList, ReviewBreakGlass endpoint.Endpoint
	Disclose, Disclosures                        endpoint.Endpoint
	PlaceLegalHold, ReleaseLegalHold             endpoint.Endpoint
	AccessReport, Certificate                    endpoint.Endpoint
}

func makeOversightEndpoints(s Service, guard func(object, action string, e endpoint.Endpoint) endpoint.Endpoint) OversightEndpoints {
	hold := func(place bool) endpoint.Endpoint {
		return func(ctx context.Context, r any) (any, error) {
			req := r.(legalHoldRequest)
			h := s.ReleaseLegalHold
			if place {
				h = s.PlaceLegalHold
			}
			out, err := h(ctx, req.CaseID, req.LegalHoldInput)
			return oversightResponse[LegalHold]{Body: out, Err: err}, nil
		}
	}
	return OversightEndpoints{
		BreakGlass: guard(ObjectBreakGlass, "open", func(ctx context.Context, r any) (any, error) {
			req := r.(breakGlassRequest)
			b, err := s.BreakGlass(ctx, req.CaseID, req.BreakGlassInput)
			return oversightResponse[BreakGlass]{Body: b, Err: err}, nil
		}),
		BreakGlassList: guard(ObjectBreakGlass, "list", func(ctx context.Context, _ any) (any, error) {
			bs, err := s.BreakGlassList(ctx)
			if bs == nil {
				bs = []BreakGlass{}
			}
			return oversightResponse[breakGlassList]{Body: breakGlassList{Accesses: bs}, Err: err}, nil
		}),
		ReviewBreakGlass: guard(ObjectBreakGlass, "review", func(ctx context.Context, r any) (any, error) {
			req := r.(reviewRequest)
			b, err := s.ReviewBreakGlass(ctx, req.ID, req.ReviewInput)
			return oversightResponse[BreakGlass]{Body: b, Err: err}, nil
		}),
		Disclose: guard(ObjectDisclosures, "create", func(ctx context.Context, r any) (any, error) {
			req := r.(disclosureRequest)
			d, err := s.Disclose(ctx, req.CaseID, req.DisclosureInput)
			return oversightResponse[Disclosure]{Body: d, Err: err}, nil
		}),
		Disclosures: guard(ObjectDisclosures, "list", func(ctx context.Context, _ any) (any, error) {
			ds, err := s.Disclosures(ctx)
			if ds == nil {
				ds = []Disclosure{}
			}
			return oversightResponse[disclosureList]{Body: disclosureList{Disclosures: ds}, Err: err}, nil
		}),
		PlaceLegalHold:   guard(ObjectLegalHolds, "place", hold(true)),
		ReleaseLegalHold: guard(ObjectLegalHolds, "release", hold(false)),
		AccessReport: guard(ObjectAccessReports, "read", func(ctx context.Context, r any) (any, error) {
			req := r.(accessReportRequest)
			a, err := s.AccessReport(ctx, req.CaseID, req.Lang)
			return oversightResponse[AccessReport]{Body: a, Err: err}, nil
		}),
		Certificate: guard(ObjectCertificates, "read", func(ctx context.Context, r any) (any, error) {
			c, err := s.Certificate(ctx, r.(caseRequest).CaseID)
			return oversightResponse[Certificate]{Body: c, Err: err}, nil
		}),
	}
}

type breakGlassRequest struct {
	CaseID string
	BreakGlassInput
}

type reviewRequest struct {
	ID string
	ReviewInput
}

type disclosureRequest struct {
	CaseID string
	DisclosureInput
}

type legalHoldRequest struct {
	CaseID string
	LegalHoldInput
}

type accessReportRequest struct {
	CaseID, Lang string
}

type breakGlassList struct {
	Accesses []BreakGlass `json:"break_glass"`
}

type disclosureList struct {
	Disclosures []Disclosure `json:"disclosures"`
}

// oversightResponse carries one result and its business error.
type oversightResponse[T any] struct {
	Body T
	Err  error
}

func (r oversightResponse[T]) Failed() error { return r.Err }

// MarshalJSON encodes the result alone.
func (r oversightResponse[T]) MarshalJSON() ([]byte, error) { return json.Marshal(r.Body) }

var _ endpoint.Failer = oversightResponse[BreakGlass]{}

// The logging and instrumenting middleware of Oversight: method, case id
// and outcome only.

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
