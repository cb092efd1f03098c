package intake

import (
	"context"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/services/intake/workflow"
)

// Casbin objects of the workflow endpoints (workflow/endpoint.go).
const (
	ObjectWorkflow  = workflow.ObjectWorkflow
	ObjectDecisions = workflow.ObjectDecisions
	ObjectSupport   = workflow.ObjectSupport
	ObjectEntries   = workflow.ObjectEntries
	ObjectGuardians = workflow.ObjectGuardians
)

// WorkflowEndpoints are the endpoints of the decision and support tracks,
// the case record and the children's rules (package workflow), with the
// route change served beside them.
type WorkflowEndpoints struct {
	workflow.Endpoints
	ChangeRoute endpoint.Endpoint
}

// makeWorkflowEndpoints wires s's workflow methods behind guard (token and
// policy), as MakeServerEndpoints does for the rest.
func makeWorkflowEndpoints(s Service, guard func(object, action string, e endpoint.Endpoint) endpoint.Endpoint) WorkflowEndpoints {
	return WorkflowEndpoints{
		Endpoints: workflow.MakeEndpoints(s, guard),
		// Moving onto the NRM route is the owner's act, as submission is.
		ChangeRoute: guard(ObjectCases, "submit", makeChangeRouteEndpoint(s)),
	}
}

// workflowResponse carries the tracks a route change answers with.
type workflowResponse struct {
	Workflow
	Err error `json:"-"`
}

func (r workflowResponse) Failed() error { return r.Err }

var _ endpoint.Failer = workflowResponse{}

// The logging and instrumenting middleware of CaseView and KeyStatus;
// the workflow's own calls are decorated by package workflow's.

func (m *logging) CaseView(ctx context.Context, id string, parts CaseParts) (v CaseView, err error) {
	defer func(b time.Time) { m.done(ctx, "CaseView", id, b, err) }(time.Now())
	return m.next.CaseView(ctx, id, parts)
}

func (m *logging) KeyStatus(ctx context.Context) (k []KeyStatus, err error) {
	defer func(b time.Time) { m.done(ctx, "KeyStatus", "", b, err) }(time.Now())
	return m.next.KeyStatus(ctx)
}

func (m *instrumenting) CaseView(ctx context.Context, id string, parts CaseParts) (v CaseView, err error) {
	defer func(b time.Time) { m.done(ctx, "CaseView", b, err) }(time.Now())
	return m.next.CaseView(ctx, id, parts)
}

func (m *instrumenting) KeyStatus(ctx context.Context) (k []KeyStatus, err error) {
	defer func(b time.Time) { m.done(ctx, "KeyStatus", b, err) }(time.Now())
	return m.next.KeyStatus(ctx)
}
