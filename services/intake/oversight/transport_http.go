package oversight

import (
	"context"
	"net/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/transport"
)

// HandleRoutes adds the oversight routes through handle:
//
//	POST /api/v1/cases/{id}/break-glass          BreakGlassInput -> 201 BreakGlass
//	GET  /api/v1/break-glass                     -> {"break_glass":[BreakGlass]} (auditors)
//	POST /api/v1/break-glass/{id}/review         ReviewInput -> BreakGlass (auditors)
//	POST /api/v1/cases/{id}/disclosures          DisclosureInput -> 201 Disclosure
//	GET  /api/v1/disclosures                     -> {"disclosures":[Disclosure]} (auditors)
//	POST /api/v1/cases/{id}/legal-hold           LegalHoldInput -> LegalHold
//	POST /api/v1/cases/{id}/legal-hold/release   LegalHoldInput -> LegalHold
//	GET  /api/v1/cases/{id}/access-report?lang=  -> AccessReport (auditors, the owner's officers)
//	GET  /api/v1/cases/{id}/certificate          -> Certificate
func HandleRoutes(e Endpoints, handle transport.Handle) {
	handle("POST /api/v1/cases/{id}/break-glass", e.BreakGlass, transport.DecodeBody(func(id string, in BreakGlassInput) any {
		return breakGlassRequest{id, in}
	}), http.StatusCreated)
	handle("GET /api/v1/break-glass", e.BreakGlassList, transport.DecodeNoRequest, http.StatusOK)
	handle("POST /api/v1/break-glass/{id}/review", e.ReviewBreakGlass, transport.DecodeBody(func(id string, in ReviewInput) any {
		return reviewRequest{id, in}
	}), http.StatusOK)
	handle("POST /api/v1/cases/{id}/disclosures", e.Disclose, transport.DecodeBody(func(id string, in DisclosureInput) any {
		return disclosureRequest{id, in}
	}), http.StatusCreated)
	handle("GET /api/v1/disclosures", e.Disclosures, transport.DecodeNoRequest, http.StatusOK)
	holdDecoder := transport.DecodeBody(func(id string, in LegalHoldInput) any { return legalHoldRequest{id, in} })
	handle("POST /api/v1/cases/{id}/legal-hold", e.PlaceLegalHold, holdDecoder, http.StatusOK)
	handle("POST /api/v1/cases/{id}/legal-hold/release", e.ReleaseLegalHold, holdDecoder, http.StatusOK)
	handle("GET /api/v1/cases/{id}/access-report", e.AccessReport, decodeAccessReportRequest, http.StatusOK)
	handle("GET /api/v1/cases/{id}/certificate", e.Certificate, decodeCaseRequest, http.StatusOK)
}

func decodeCaseRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.CaseID(r)
	if err != nil {
		return nil, err
	}
	return caseRequest{CaseID: id}, nil
}

func decodeAccessReportRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.CaseID(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	for k := range q {
		if k != "lang" {
			return nil, kit.Validation("unknown query parameter " + k)
		}
	}
	return accessReportRequest{CaseID: id, Lang: q.Get("lang")}, nil
}
