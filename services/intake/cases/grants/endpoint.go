package grants

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/services/intake/transport"
)

// ObjectGrants is the Casbin object of the grant endpoints
// (policies/policy.csv).
const ObjectGrants = "intake.grants"

// Endpoints are the endpoints of Service.
type Endpoints struct {
	ListGrants    endpoint.Endpoint
	GrantPending  endpoint.Endpoint
	ActivateGrant endpoint.Endpoint
	EndGrant      endpoint.Endpoint
	RevokeGrant   endpoint.Endpoint
}

// MakeEndpoints wires s's methods behind guard.
func MakeEndpoints(s Service, guard transport.Guard) Endpoints {
	return Endpoints{
		ListGrants: guard(ObjectGrants, "list", func(ctx context.Context, request any) (any, error) {
			g, err := s.ListGrants(ctx, request.(caseRequest).CaseID)
			if g == nil {
				g = []Grant{}
			}
			return grantsResponse{Grants: g, Err: err}, nil
		}),
		GrantPending: guard(ObjectGrants, "create", func(ctx context.Context, request any) (any, error) {
			g, err := s.GrantPending(ctx, request.(grantRequest).Grant)
			return grantResponse{Grant: g, Err: err}, nil
		}),
		ActivateGrant: guard(ObjectGrants, "activate", func(ctx context.Context, request any) (any, error) {
			req := request.(grantIDRequest)
			g, err := s.ActivateGrant(ctx, req.CaseID, req.GrantID)
			return grantResponse{Grant: g, Err: err}, nil
		}),
		EndGrant: guard(ObjectGrants, "end", func(ctx context.Context, request any) (any, error) {
			req := request.(grantIDRequest)
			g, err := s.EndGrant(ctx, req.CaseID, req.GrantID)
			return grantResponse{Grant: g, Err: err}, nil
		}),
		RevokeGrant: guard(ObjectGrants, "revoke", func(ctx context.Context, request any) (any, error) {
			req := request.(grantIDRequest)
			return noContentResponse{Err: s.RevokeGrant(ctx, req.CaseID, req.GrantID)}, nil
		}),
	}
}

// caseRequest names a case by its id (taken from the path).
type caseRequest struct {
	CaseID string
}

type grantRequest struct {
	Grant GrantRequest
}

// grantIDRequest names one grant of one case.
type grantIDRequest struct {
	CaseID  string
	GrantID string
}

type grantResponse struct {
	Grant
	Err error `json:"-"`
}

func (r grantResponse) Failed() error { return r.Err }

type grantsResponse struct {
	Grants []Grant `json:"grants"`
	Err    error   `json:"-"`
}

func (r grantsResponse) Failed() error { return r.Err }

// noContentResponse answers with 204 unless it carries an error.
type noContentResponse struct {
	Err error `json:"-"`
}

func (r noContentResponse) Failed() error { return r.Err }

var (
	_ endpoint.Failer = grantResponse{}
	_ endpoint.Failer = grantsResponse{}
	_ endpoint.Failer = noContentResponse{}
)
