package intake

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/services/intake/cases"
	"github.com/nrm-project/nrm/services/intake/cases/grants"
	"github.com/nrm-project/nrm/services/intake/oversight"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Endpoints collects the intake endpoints: the cases service's
// (embedded), the grants', the workflow's, oversight's and KeyStatus.
type Endpoints struct {
	cases.Endpoints
	KeyStatus endpoint.Endpoint
	Grants    grants.Endpoints
	Workflow  workflow.Endpoints
	Oversight oversight.Endpoints
}

// Casbin objects of the intake endpoints (policies/policy.csv).
const (
	ObjectCases      = cases.ObjectCases
	ObjectConsents   = cases.ObjectConsents
	ObjectGrants     = grants.ObjectGrants
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
		Grants:    grants.MakeEndpoints(s, guard),
		Workflow:  workflow.MakeEndpoints(s, guard),
		Oversight: oversight.MakeEndpoints(s, guard),
	}
}

type keyStatusResponse struct {
	Keys []KeyStatus `json:"keys"`
	Err  error       `json:"-"`
}

func (r keyStatusResponse) Failed() error { return r.Err }

var _ endpoint.Failer = keyStatusResponse{}
