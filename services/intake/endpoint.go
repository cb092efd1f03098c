package intake

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/services/intake/cases"
	"github.com/nrm-project/nrm/services/intake/oversight"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Endpoints collects the intake endpoints: the cases service's and the
// rest.
type Endpoints struct {
	cases.Endpoints
	KeyStatus     endpoint.Endpoint
	ListGrants    endpoint.Endpoint
	GrantPending  endpoint.Endpoint
	ActivateGrant endpoint.Endpoint
	EndGrant      endpoint.Endpoint
	RevokeGrant   endpoint.Endpoint
	Workflow      workflow.Endpoints
	Oversight     oversight.Endpoints
}

// Casbin objects of the intake endpoints (policies/policy.csv).
const (
	ObjectCases      = cases.ObjectCases
	ObjectConsents   = cases.ObjectConsents
	ObjectGrants     = "intake.grants"
	ObjectDuplicates = cases.ObjectDuplicates
	ObjectKeys       = "intake.keys"
)

// MakeServerEndpoints wires s. Every endpoint needs a valid token (authn)
// and a role the enforcer allows for its object and action; denials are
// recorded with denials. Which cases the caller may touch is decided by s.
func MakeServerEndpoints(s Service, authn endpoint.Middleware, enf *authz.Enforcer, denials authz.DenialRecorder) Endpoints {
	guard := func(object, action string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(object, action, denials)(e))
	}
	// A case view answers the tracks and the record only to roles that may
	// read them on their own (GET …/workflow, GET …/entries).
	allowedParts := func(ctx context.Context, parts CaseParts) CaseParts {
		p, _ := auth.FromContext(ctx)
		return CaseParts{
			Workflow: parts.Workflow && enf.Allowed(p, workflow.ObjectWorkflow, "read"),
			Entries:  parts.Entries && enf.Allowed(p, workflow.ObjectEntries, "list"),
		}
	}
	return Endpoints{
		Endpoints: cases.MakeEndpoints(s, guard, allowedParts),
		KeyStatus: guard(ObjectKeys, "read", func(ctx context.Context, _ any) (any, error) {
			k, err := s.KeyStatus(ctx)
			return keyStatusResponse{Keys: k, Err: err}, nil
		}),
		ListGrants:    guard(ObjectGrants, "list", makeListGrantsEndpoint(s)),
		GrantPending:  guard(ObjectGrants, "create", makeGrantPendingEndpoint(s)),
		ActivateGrant: guard(ObjectGrants, "activate", makeActivateGrantEndpoint(s)),
		EndGrant:      guard(ObjectGrants, "end", makeEndGrantEndpoint(s)),
		RevokeGrant:   guard(ObjectGrants, "revoke", makeRevokeGrantEndpoint(s)),
		Workflow:      workflow.MakeEndpoints(s, guard),
		Oversight:     oversight.MakeEndpoints(s, guard),
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

type keyStatusResponse struct {
	Keys []KeyStatus `json:"keys"`
	Err  error       `json:"-"`
}

func (r keyStatusResponse) Failed() error { return r.Err }

func makeListGrantsEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		g, err := s.ListGrants(ctx, request.(caseRequest).CaseID)
		if g == nil {
			g = []Grant{}
		}
		return grantsResponse{Grants: g, Err: err}, nil
	}
}

func makeGrantPendingEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		g, err := s.GrantPending(ctx, request.(grantRequest).Grant)
		return grantResponse{Grant: g, Err: err}, nil
	}
}

func makeActivateGrantEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(grantIDRequest)
		g, err := s.ActivateGrant(ctx, req.CaseID, req.GrantID)
		return grantResponse{Grant: g, Err: err}, nil
	}
}

func makeEndGrantEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(grantIDRequest)
		g, err := s.EndGrant(ctx, req.CaseID, req.GrantID)
		return grantResponse{Grant: g, Err: err}, nil
	}
}

func makeRevokeGrantEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(grantIDRequest)
		return noContentResponse{Err: s.RevokeGrant(ctx, req.CaseID, req.GrantID)}, nil
	}
}

var (
	_ endpoint.Failer = keyStatusResponse{}
	_ endpoint.Failer = grantResponse{}
	_ endpoint.Failer = grantsResponse{}
	_ endpoint.Failer = noContentResponse{}
)
