package grants

import (
	"context"
	"net/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/transport"
)

// HandleRoutes adds the grant routes through handle:
//
//	GET  /api/v1/cases/{id}/grants                      -> {"grants":[...]}
//	POST /api/v1/cases/{id}/grants                      GrantRequest -> 201 Grant
//	POST /api/v1/cases/{id}/grants/{gid}/activate       -> Grant
//	POST /api/v1/cases/{id}/grants/{gid}/end            -> Grant (the service ended)
//	POST /api/v1/cases/{id}/grants/{gid}/revoke         -> 204
func HandleRoutes(e Endpoints, handle transport.Handle) {
	handle("GET /api/v1/cases/{id}/grants", e.ListGrants, decodeCaseRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/grants", e.GrantPending, decodeGrantRequest, http.StatusCreated)
	handle("POST /api/v1/cases/{id}/grants/{gid}/activate", e.ActivateGrant, decodeGrantIDRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/grants/{gid}/end", e.EndGrant, decodeGrantIDRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/grants/{gid}/revoke", e.RevokeGrant, decodeGrantIDRequest, http.StatusNoContent)
}

func decodeCaseRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.CaseID(r)
	if err != nil {
		return nil, err
	}
	return caseRequest{CaseID: id}, nil
}

// decodeGrantRequest takes the case from the path; a case_id in the body
// is accepted only when it names the same case.
func decodeGrantRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	var g GrantRequest
	if err := kit.DecodeJSON(nil, r, &g); err != nil {
		return nil, err
	}
	if g.CaseID != "" && g.CaseID != id {
		return nil, kit.Validation("case_id must be omitted or name the case in the path")
	}
	if err := transport.BodyID("org_id", g.OrgID); err != nil {
		return nil, err
	}
	g.CaseID = id
	return grantRequest{Grant: g}, nil
}

func decodeGrantIDRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	gid, err := transport.PathID(r, "gid")
	if err != nil {
		return nil, err
	}
	if err := transport.NoBody(r); err != nil {
		return nil, err
	}
	return grantIDRequest{CaseID: id, GrantID: gid}, nil
}
