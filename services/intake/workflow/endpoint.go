package workflow

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/transport"
)

// Casbin objects of the workflow endpoints (policies/policy.csv).
const (
	ObjectWorkflow  = "intake.workflow"
	ObjectDecisions = "intake.decisions"
	ObjectSupport   = "intake.support"
	ObjectEntries   = "intake.entries"
	ObjectGuardians = "intake.guardians"
	// objectCases is the cases service's object (cases.ObjectCases):
	// moving onto the NRM route is the owner's act, as submission is.
	objectCases = "intake.cases"
)

// Endpoints are the endpoints of the decision and support tracks, the
// case record and the children's rules.
type Endpoints struct {
	Transition        endpoint.Endpoint
	SupportTransition endpoint.Endpoint
	Workflow          endpoint.Endpoint
	DecisionQueue     endpoint.Endpoint
	AddEntry          endpoint.Endpoint
	Entries           endpoint.Endpoint
	AppointGuardian   endpoint.Endpoint
	ChangeRoute       endpoint.Endpoint
}

// MakeEndpoints wires s's methods behind guard.
func MakeEndpoints(s Service, guard transport.Guard) Endpoints {
	return Endpoints{
		Transition: guard(ObjectDecisions, "transition", func(ctx context.Context, r any) (any, error) {
			req := r.(transitionRequest)
			w, err := s.Transition(ctx, req.CaseID, req.TransitionRequest)
			return workflowResponse{Workflow: w, Err: err}, nil
		}),
		SupportTransition: guard(ObjectSupport, "transition", func(ctx context.Context, r any) (any, error) {
			req := r.(transitionRequest)
			w, err := s.SupportTransition(ctx, req.CaseID, req.TransitionRequest)
			return workflowResponse{Workflow: w, Err: err}, nil
		}),
		Workflow: guard(ObjectWorkflow, "read", func(ctx context.Context, r any) (any, error) {
			w, err := s.Workflow(ctx, r.(caseRequest).CaseID)
			return workflowResponse{Workflow: w, Err: err}, nil
		}),
		DecisionQueue: guard(ObjectDecisions, "queue", func(ctx context.Context, _ any) (any, error) {
			q, err := s.DecisionQueue(ctx)
			if q == nil {
				q = []casefile.QueueItem{}
			}
			return queueResponse{Cases: q, Err: err}, nil
		}),
		AddEntry: guard(ObjectEntries, "create", func(ctx context.Context, r any) (any, error) {
			req := r.(entryRequest)
			e, err := s.AddEntry(ctx, req.CaseID, req.EntryInput)
			return entryResponse{Entry: e, Err: err}, nil
		}),
		Entries: guard(ObjectEntries, "list", func(ctx context.Context, r any) (any, error) {
			es, err := s.Entries(ctx, r.(caseRequest).CaseID)
			if es == nil {
				es = []casefile.Entry{}
			}
			return entriesResponse{Entries: es, Err: err}, nil
		}),
		AppointGuardian: guard(ObjectGuardians, "appoint", func(ctx context.Context, r any) (any, error) {
			req := r.(guardianRequest)
			w, err := s.AppointGuardian(ctx, req.CaseID, req.GuardianInput)
			return workflowResponse{Workflow: w, Err: err}, nil
		}),
		ChangeRoute: guard(objectCases, "submit", func(ctx context.Context, r any) (any, error) {
			req := r.(routeRequest)
			w, err := s.ChangeRoute(ctx, req.CaseID, req.RouteChange)
			return workflowResponse{Workflow: w, Err: err}, nil
		}),
	}
}

// caseRequest names a case by its id (taken from the path).
type caseRequest struct {
	CaseID string
}

type transitionRequest struct {
	CaseID string
	casefile.TransitionRequest
}

type entryRequest struct {
	CaseID string
	casefile.EntryInput
}

type guardianRequest struct {
	CaseID string
	casefile.GuardianInput
}

type routeRequest struct {
	CaseID string
	RouteChange
}

type workflowResponse struct {
	casefile.Workflow
	Err error `json:"-"`
}

func (r workflowResponse) Failed() error { return r.Err }

type queueResponse struct {
	Cases []casefile.QueueItem `json:"cases"`
	Err   error                `json:"-"`
}

func (r queueResponse) Failed() error { return r.Err }

type entryResponse struct {
	casefile.Entry
	Err error `json:"-"`
}

func (r entryResponse) Failed() error { return r.Err }

type entriesResponse struct {
	Entries []casefile.Entry `json:"entries"`
	Err     error            `json:"-"`
}

func (r entriesResponse) Failed() error { return r.Err }

var (
	_ endpoint.Failer = workflowResponse{}
	_ endpoint.Failer = queueResponse{}
	_ endpoint.Failer = entryResponse{}
	_ endpoint.Failer = entriesResponse{}
)
