package intake

import (
	"context"
	"net/http"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/services/intake/workflow"
)

// handleWorkflow adds the workflow routes (workflow.HandleHTTP) and, beside
// them:
//
//	POST /api/v1/cases/{id}/route         RouteChange -> Workflow (assistance onto the nrm route)
func handleWorkflow(e WorkflowEndpoints, handle func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc, status int)) {
	workflow.HandleHTTP(e.Endpoints, handle)
	handle("POST /api/v1/cases/{id}/route", e.ChangeRoute, decodeRouteRequest, http.StatusOK)
}

func decodeNoRequest(_ context.Context, r *http.Request) (any, error) {
	return struct{}{}, noBody(r)
}

func (c *client) workflowCall(ctx context.Context, method string, body any, id, what string) (Workflow, error) {
	if err := checkIDs(id); err != nil {
		return Workflow{}, err
	}
	var out Workflow
	if err := c.call(ctx, method, http.StatusOK, nil, body, &out, "cases", id, what); err != nil {
		return Workflow{}, err
	}
	return out, nil
}
