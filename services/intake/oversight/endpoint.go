package oversight

import (
	"context"
	"encoding/json"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/services/intake/transport"
)

// Casbin objects of the oversight endpoints (policies/policy.csv).
const (
	ObjectBreakGlass    = "intake.break_glass"
	ObjectDisclosures   = "intake.disclosures"
	ObjectLegalHolds    = "intake.legal_holds"
	ObjectAccessReports = "intake.access_reports"
	ObjectCertificates  = "intake.certificates"
)

// Endpoints are the endpoints of Service.
type Endpoints struct {
	BreakGlass, BreakGlassList, ReviewBreakGlass endpoint.Endpoint
	Disclose, Disclosures                        endpoint.Endpoint
	PlaceLegalHold, ReleaseLegalHold             endpoint.Endpoint
	AccessReport, Certificate                    endpoint.Endpoint
}

// MakeEndpoints wires s's methods behind guard.
func MakeEndpoints(s Service, guard transport.Guard) Endpoints {
	hold := func(place bool) endpoint.Endpoint {
		return func(ctx context.Context, r any) (any, error) {
			req := r.(legalHoldRequest)
			h := s.ReleaseLegalHold
			if place {
				h = s.PlaceLegalHold
			}
			out, err := h(ctx, req.CaseID, req.LegalHoldInput)
			return response[LegalHold]{Body: out, Err: err}, nil
		}
	}
	return Endpoints{
		BreakGlass: guard(ObjectBreakGlass, "open", func(ctx context.Context, r any) (any, error) {
			req := r.(breakGlassRequest)
			b, err := s.BreakGlass(ctx, req.CaseID, req.BreakGlassInput)
			return response[BreakGlass]{Body: b, Err: err}, nil
		}),
		BreakGlassList: guard(ObjectBreakGlass, "list", func(ctx context.Context, _ any) (any, error) {
			bs, err := s.BreakGlassList(ctx)
			if bs == nil {
				bs = []BreakGlass{}
			}
			return response[breakGlassList]{Body: breakGlassList{Accesses: bs}, Err: err}, nil
		}),
		ReviewBreakGlass: guard(ObjectBreakGlass, "review", func(ctx context.Context, r any) (any, error) {
			req := r.(reviewRequest)
			b, err := s.ReviewBreakGlass(ctx, req.ID, req.ReviewInput)
			return response[BreakGlass]{Body: b, Err: err}, nil
		}),
		Disclose: guard(ObjectDisclosures, "create", func(ctx context.Context, r any) (any, error) {
			req := r.(disclosureRequest)
			d, err := s.Disclose(ctx, req.CaseID, req.DisclosureInput)
			return response[Disclosure]{Body: d, Err: err}, nil
		}),
		Disclosures: guard(ObjectDisclosures, "list", func(ctx context.Context, _ any) (any, error) {
			ds, err := s.Disclosures(ctx)
			if ds == nil {
				ds = []Disclosure{}
			}
			return response[disclosureList]{Body: disclosureList{Disclosures: ds}, Err: err}, nil
		}),
		PlaceLegalHold:   guard(ObjectLegalHolds, "place", hold(true)),
		ReleaseLegalHold: guard(ObjectLegalHolds, "release", hold(false)),
		AccessReport: guard(ObjectAccessReports, "read", func(ctx context.Context, r any) (any, error) {
			req := r.(accessReportRequest)
			a, err := s.AccessReport(ctx, req.CaseID, req.Lang)
			return response[AccessReport]{Body: a, Err: err}, nil
		}),
		Certificate: guard(ObjectCertificates, "read", func(ctx context.Context, r any) (any, error) {
			c, err := s.Certificate(ctx, r.(caseRequest).CaseID)
			return response[Certificate]{Body: c, Err: err}, nil
		}),
	}
}

// caseRequest names a case by its id (taken from the path).
type caseRequest struct {
	CaseID string
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

// response carries one result and its business error.
type response[T any] struct {
	Body T
	Err  error
}

func (r response[T]) Failed() error { return r.Err }

// MarshalJSON encodes the result alone.
func (r response[T]) MarshalJSON() ([]byte, error) { return json.Marshal(r.Body) }

var _ endpoint.Failer = response[BreakGlass]{}
