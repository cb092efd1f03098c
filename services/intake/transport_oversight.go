package intake

import (
	"context"
	"net/http"
	"net/url"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/kit"
)

// handleOversight adds the oversight routes:
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
func handleOversight(e OversightEndpoints, handle func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc, status int)) {
	handle("POST /api/v1/cases/{id}/break-glass", e.BreakGlass, decodeBody(func(id string, in BreakGlassInput) any {
		return breakGlassRequest{id, in}
	}), http.StatusCreated)
	handle("GET /api/v1/break-glass", e.BreakGlassList, decodeNoRequest, http.StatusOK)
	handle("POST /api/v1/break-glass/{id}/review", e.ReviewBreakGlass, decodeBody(func(id string, in ReviewInput) any {
		return reviewRequest{id, in}
	}), http.StatusOK)
	handle("POST /api/v1/cases/{id}/disclosures", e.Disclose, decodeBody(func(id string, in DisclosureInput) any {
		return disclosureRequest{id, in}
	}), http.StatusCreated)
	handle("GET /api/v1/disclosures", e.Disclosures, decodeNoRequest, http.StatusOK)
	holdDecoder := decodeBody(func(id string, in LegalHoldInput) any { return legalHoldRequest{id, in} })
	handle("POST /api/v1/cases/{id}/legal-hold", e.PlaceLegalHold, holdDecoder, http.StatusOK)
	handle("POST /api/v1/cases/{id}/legal-hold/release", e.ReleaseLegalHold, holdDecoder, http.StatusOK)
	handle("GET /api/v1/cases/{id}/access-report", e.AccessReport, decodeAccessReportRequest, http.StatusOK)
	handle("GET /api/v1/cases/{id}/certificate", e.Certificate, decodeCaseRequest, http.StatusOK)
}

// decodeBody decodes the path id and a JSON body of type T.
func decodeBody[T any](build func(id string, in T) any) httptransport.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		var in T
		if err := kit.DecodeJSON(nil, r, &in); err != nil {
			return nil, err
		}
		return build(id, in), nil
	}
}

func decodeAccessReportRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := noBody(r); err != nil {
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

// Client side of Oversight.

// BreakGlass implements Service.
func (c *client) BreakGlass(ctx context.Context, id string, in BreakGlassInput) (BreakGlass, error) {
	var out BreakGlass
	err := c.oversightCall(ctx, http.MethodPost, http.StatusCreated, nil, in, &out, id, "cases", id, "break-glass")
	return out, err
}

// BreakGlassList implements Service.
func (c *client) BreakGlassList(ctx context.Context) ([]BreakGlass, error) {
	var out breakGlassList
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "break-glass"); err != nil {
		return nil, err
	}
	return out.Accesses, nil
}

// ReviewBreakGlass implements Service.
func (c *client) ReviewBreakGlass(ctx context.Context, id string, in ReviewInput) (BreakGlass, error) {
	var out BreakGlass
	err := c.oversightCall(ctx, http.MethodPost, http.StatusOK, nil, in, &out, id, "break-glass", id, "review")
	return out, err
}

// Disclose implements Service.
func (c *client) Disclose(ctx context.Context, id string, in DisclosureInput) (Disclosure, error) {
	var out Disclosure
	err := c.oversightCall(ctx, http.MethodPost, http.StatusCreated, nil, in, &out, id, "cases", id, "disclosures")
	return out, err
}

// Disclosures implements Service.
func (c *client) Disclosures(ctx context.Context) ([]Disclosure, error) {
	var out disclosureList
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "disclosures"); err != nil {
		return nil, err
	}
	return out.Disclosures, nil
}

// PlaceLegalHold implements Service.
func (c *client) PlaceLegalHold(ctx context.Context, id string, in LegalHoldInput) (LegalHold, error) {
	var out LegalHold
	err := c.oversightCall(ctx, http.MethodPost, http.StatusOK, nil, in, &out, id, "cases", id, "legal-hold")
	return out, err
}

// ReleaseLegalHold implements Service.
func (c *client) ReleaseLegalHold(ctx context.Context, id string, in LegalHoldInput) (LegalHold, error) {
	var out LegalHold
	err := c.oversightCall(ctx, http.MethodPost, http.StatusOK, nil, in, &out, id, "cases", id, "legal-hold", "release")
	return out, err
}

// AccessReport implements Service.
func (c *client) AccessReport(ctx context.Context, id, lang string) (AccessReport, error) {
	var (
		out AccessReport
		q   url.Values
	)
	if lang != "" {
		q = url.Values{"lang": {lang}}
	}
	err := c.oversightCall(ctx, http.MethodGet, http.StatusOK, q, nil, &out, id, "cases", id, "access-report")
	return out, err
}

// Certificate implements Service.
func (c *client) Certificate(ctx context.Context, id string) (Certificate, error) {
	var out Certificate
	err := c.oversightCall(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, id, "cases", id, "certificate")
	return out, err
}

// oversightCall checks id, then calls; out is left zero on error.
func (c *client) oversightCall(ctx context.Context, method string, ok int, q url.Values, body, out any, id string, segments ...string) error {
	if err := checkIDs(id); err != nil {
		return err
	}
	return c.call(ctx, method, ok, q, body, out, segments...)
}
