package oversight

import (
	"context"
	"net/http"
	"net/url"

	"github.com/nrm-project/nrm/services/intake/transport"
)

// client is Service over HTTP, through the intake client's call.
type client struct{ call transport.Call }

// NewClient returns a Service that calls the intake API through call.
func NewClient(call transport.Call) Service { return client{call: call} }

// BreakGlass implements Service.
func (c client) BreakGlass(ctx context.Context, id string, in BreakGlassInput) (BreakGlass, error) {
	var out BreakGlass
	err := c.idCall(ctx, http.MethodPost, http.StatusCreated, nil, in, &out, id, "cases", id, "break-glass")
	return out, err
}

// BreakGlassList implements Service.
func (c client) BreakGlassList(ctx context.Context) ([]BreakGlass, error) {
	var out breakGlassList
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "break-glass"); err != nil {
		return nil, err
	}
	return out.Accesses, nil
}

// ReviewBreakGlass implements Service.
func (c client) ReviewBreakGlass(ctx context.Context, id string, in ReviewInput) (BreakGlass, error) {
	var out BreakGlass
	err := c.idCall(ctx, http.MethodPost, http.StatusOK, nil, in, &out, id, "break-glass", id, "review")
	return out, err
}

// Disclose implements Service.
func (c client) Disclose(ctx context.Context, id string, in DisclosureInput) (Disclosure, error) {
	var out Disclosure
	err := c.idCall(ctx, http.MethodPost, http.StatusCreated, nil, in, &out, id, "cases", id, "disclosures")
	return out, err
}

// Disclosures implements Service.
func (c client) Disclosures(ctx context.Context) ([]Disclosure, error) {
	var out disclosureList
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "disclosures"); err != nil {
		return nil, err
	}
	return out.Disclosures, nil
}

// PlaceLegalHold implements Service.
func (c client) PlaceLegalHold(ctx context.Context, id string, in LegalHoldInput) (LegalHold, error) {
	var out LegalHold
	err := c.idCall(ctx, http.MethodPost, http.StatusOK, nil, in, &out, id, "cases", id, "legal-hold")
	return out, err
}

// ReleaseLegalHold implements Service.
func (c client) ReleaseLegalHold(ctx context.Context, id string, in LegalHoldInput) (LegalHold, error) {
	var out LegalHold
	err := c.idCall(ctx, http.MethodPost, http.StatusOK, nil, in, &out, id, "cases", id, "legal-hold", "release")
	return out, err
}

// AccessReport implements Service.
func (c client) AccessReport(ctx context.Context, id, lang string) (AccessReport, error) {
	var (
		out AccessReport
		q   url.Values
	)
	if lang != "" {
		q = url.Values{"lang": {lang}}
	}
	err := c.idCall(ctx, http.MethodGet, http.StatusOK, q, nil, &out, id, "cases", id, "access-report")
	return out, err
}

// Certificate implements Service.
func (c client) Certificate(ctx context.Context, id string) (Certificate, error) {
	var out Certificate
	err := c.idCall(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, id, "cases", id, "certificate")
	return out, err
}

// idCall checks id, then calls; out is left zero on error.
func (c client) idCall(ctx context.Context, method string, ok int, q url.Values, body, out any, id string, segments ...string) error {
	if err := transport.CheckIDs(id); err != nil {
		return err
	}
	return c.call(ctx, method, ok, q, body, out, segments...)
}
