package intake

import (
	"context"
	"time"

	"github.com/go-kit/kit/endpoint"
)

// Casbin objects of the workflow endpoints (policies/policy.csv).
const (
	ObjectWorkflow  = "intake.workflow"
	ObjectDecisions = "intake.decisions"
	ObjectSupport   = "intake.support"
	ObjectEntries   = "intake.entries"
	ObjectGuardians = "intake.guardians"
)

// WorkflowEndpoints are the endpoints of the decision and support tracks,
// the case record and the children's rules.
type WorkflowEndpoints struct {
	Transition        endpoint.Endpoint
	SupportTransition endpoint.Endpoint
	Workflow          endpoint.Endpoint
	DecisionQueue     endpoint.Endpoint
	AddEntry          endpoint.Endpoint
	Entries           endpoint.Endpoint
	AppointGuardian   endpoint.Endpoint
	ChangeRoute       endpoint.Endpoint
	Oversight         OversightEndpoints
}

// makeWorkflowEndpoints wires s's workflow methods behind guard (token and
// policy), as MakeServerEndpoints does for the rest.
func makeWorkflowEndpoints(s Service, guard func(object, action string, e endpoint.Endpoint) endpoint.Endpoint) WorkflowEndpoints {
	return WorkflowEndpoints{
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
				q = []QueueItem{}
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
				es = []Entry{}
			}
			return entriesResponse{Entries: es, Err: err}, nil
		}),
		AppointGuardian: guard(ObjectGuardians, "appoint", func(ctx context.Context, r any) (any, error) {
			req := r.(guardianRequest)
			w, err := s.AppointGuardian(ctx, req.CaseID, req.GuardianInput)
			return workflowResponse{Workflow: w, Err: err}, nil
		}),
		// Moving onto the NRM route is the owner's act, as submission is.
		ChangeRoute: guard(ObjectCases, "submit", makeChangeRouteEndpoint(s)),
		Oversight:   makeOversightEndpoints(s, guard),
	}
}

type transitionRequest struct {
	CaseID string
	TransitionRequest
}

type entryRequest struct {
	CaseID string
	EntryInput
}

type guardianRequest struct {
	CaseID string
	GuardianInput
}

type workflowResponse struct {
	Workflow
	Err error `json:"-"`
}

func (r workflowResponse) Failed() error { return r.Err }

type queueResponse struct {
	Cases []QueueItem `json:"cases"`
	Err   error       `json:"-"`
}

func (r queueResponse) Failed() error { return r.Err }

type entryResponse struct {
	Entry
	Err error `json:"-"`
}

func (r entryResponse) Failed() error { return r.Err }

type entriesResponse struct {
	Entries []Entry `json:"entries"`
	Err     error   `json:"-"`
}

func (r entriesResponse) Failed() error { return r.Err }

var (
	_ endpoint.Failer = workflowResponse{}
	_ endpoint.Failer = queueResponse{}
	_ endpoint.Failer = entryResponse{}
	_ endpoint.Failer = entriesResponse{}
)

// The logging and instrumenting middleware of the workflow methods: the
// method, the case id and the outcome, never the reasons or content.

func (m *logging) Transition(ctx context.Context, id string, t TransitionRequest) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Transition", id, b, err) }(time.Now())
	return m.next.Transition(ctx, id, t)
}

func (m *logging) SupportTransition(ctx context.Context, id string, t TransitionRequest) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "SupportTransition", id, b, err) }(time.Now())
	return m.next.SupportTransition(ctx, id, t)
}

func (m *logging) Workflow(ctx context.Context, id string) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Workflow", id, b, err) }(time.Now())
	return m.next.Workflow(ctx, id)
}

func (m *logging) DecisionQueue(ctx context.Context) (q []QueueItem, err error) {
	defer func(b time.Time) { m.done(ctx, "DecisionQueue", "", b, err) }(time.Now())
	return m.next.DecisionQueue(ctx)
}

func (m *logging) AddEntry(ctx context.Context, id string, in EntryInput) (e Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "AddEntry", id, b, err) }(time.Now())
	return m.next.AddEntry(ctx, id, in)
}

func (m *logging) CaseView(ctx context.Context, id string, parts CaseParts) (v CaseView, err error) {
	defer func(b time.Time) { m.done(ctx, "CaseView", id, b, err) }(time.Now())
	return m.next.CaseView(ctx, id, parts)
}

func (m *logging) KeyStatus(ctx context.Context) (k []KeyStatus, err error) {
	defer func(b time.Time) { m.done(ctx, "KeyStatus", "", b, err) }(time.Now())
	return m.next.KeyStatus(ctx)
}

func (m *logging) Entries(ctx context.Context, id string) (e []Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "Entries", id, b, err) }(time.Now())
	return m.next.Entries(ctx, id)
}

func (m *logging) AppointGuardian(ctx context.Context, id string, g GuardianInput) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "AppointGuardian", id, b, err) }(time.Now())
	return m.next.AppointGuardian(ctx, id, g)
}

func (m *instrumenting) Transition(ctx context.Context, id string, t TransitionRequest) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Transition", b, err) }(time.Now())
	return m.next.Transition(ctx, id, t)
}

func (m *instrumenting) SupportTransition(ctx context.Context, id string, t TransitionRequest) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "SupportTransition", b, err) }(time.Now())
	return m.next.SupportTransition(ctx, id, t)
}

func (m *instrumenting) Workflow(ctx context.Context, id string) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "Workflow", b, err) }(time.Now())
	return m.next.Workflow(ctx, id)
}

func (m *instrumenting) DecisionQueue(ctx context.Context) (q []QueueItem, err error) {
	defer func(b time.Time) { m.done(ctx, "DecisionQueue", b, err) }(time.Now())
	return m.next.DecisionQueue(ctx)
}

func (m *instrumenting) AddEntry(ctx context.Context, id string, in EntryInput) (e Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "AddEntry", b, err) }(time.Now())
	return m.next.AddEntry(ctx, id, in)
}

func (m *instrumenting) CaseView(ctx context.Context, id string, parts CaseParts) (v CaseView, err error) {
	defer func(b time.Time) { m.done(ctx, "CaseView", b, err) }(time.Now())
	return m.next.CaseView(ctx, id, parts)
}

func (m *instrumenting) KeyStatus(ctx context.Context) (k []KeyStatus, err error) {
	defer func(b time.Time) { m.done(ctx, "KeyStatus", b, err) }(time.Now())
	return m.next.KeyStatus(ctx)
}

func (m *instrumenting) Entries(ctx context.Context, id string) (e []Entry, err error) {
	defer func(b time.Time) { m.done(ctx, "Entries", b, err) }(time.Now())
	return m.next.Entries(ctx, id)
}

func (m *instrumenting) AppointGuardian(ctx context.Context, id string, g GuardianInput) (w Workflow, err error) {
	defer func(b time.Time) { m.done(ctx, "AppointGuardian", b, err) }(time.Now())
	return m.next.AppointGuardian(ctx, id, g)
}
