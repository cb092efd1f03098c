package grants

import (
	"context"
	"net/http"

	"github.com/nrm-project/nrm/services/intake/transport"
)

// client is Service over HTTP, through the intake client's call.
type client struct{ call transport.Call }

// NewClient returns a Service that calls the intake API through call.
func NewClient(call transport.Call) Service { return client{call: call} }

// GrantPending implements Service.
func (c client) GrantPending(ctx context.Context, g GrantRequest) (Grant, error) {
	if err := transport.CheckIDs(g.CaseID); err != nil {
		return Grant{}, err
	}
	var out Grant
	if err := c.call(ctx, http.MethodPost, http.StatusCreated, nil, g, &out, "cases", g.CaseID, "grants"); err != nil {
		return Grant{}, err
	}
	return out, nil
}

// EndGrant implements Service.
func (c client) EndGrant(ctx context.Context, caseID, grantID string) (Grant, error) {
	var out Grant
	if err := c.call(ctx, http.MethodPost, http.StatusOK, nil, nil, &out, "cases", caseID, "grants", grantID, "end"); err != nil {
		return Grant{}, err
	}
	return out, nil
}

// ActivateGrant implements Service.
func (c client) ActivateGrant(ctx context.Context, caseID, grantID string) (Grant, error) {
	if err := transport.CheckIDs(caseID, grantID); err != nil {
		return Grant{}, err
	}
	var out Grant
	if err := c.call(ctx, http.MethodPost, http.StatusOK, nil, nil, &out, "cases", caseID, "grants", grantID, "activate"); err != nil {
		return Grant{}, err
	}
	return out, nil
}

// RevokeGrant implements Service.
func (c client) RevokeGrant(ctx context.Context, caseID, grantID string) error {
	if err := transport.CheckIDs(caseID, grantID); err != nil {
		return err
	}
	return c.call(ctx, http.MethodPost, http.StatusNoContent, nil, nil, nil, "cases", caseID, "grants", grantID, "revoke")
}

// ListGrants implements Service.
func (c client) ListGrants(ctx context.Context, caseID string) ([]Grant, error) {
	if err := transport.CheckIDs(caseID); err != nil {
		return nil, err
	}
	var out grantsResponse
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "cases", caseID, "grants"); err != nil {
		return nil, err
	}
	return out.Grants, nil
}
