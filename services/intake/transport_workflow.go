package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/kit"
)

// maxEntryBody bounds POST /entries: a 5 MiB attachment in base64 and its
// JSON envelope.
const maxEntryBody = MaxAttachmentBytes*4/3 + 64<<10

// handleWorkflow adds the workflow routes:
//
//	POST /api/v1/cases/{id}/transitions   TransitionRequest -> Workflow (decision track)
//	POST /api/v1/cases/{id}/support       TransitionRequest -> Workflow (support track and actions)
//	GET  /api/v1/cases/{id}/workflow      -> Workflow
//	GET  /api/v1/decisions/queue          -> {"cases":[QueueItem]}
//	POST /api/v1/cases/{id}/entries       EntryInput -> 201 Entry
//	GET  /api/v1/cases/{id}/entries       -> {"entries":[Entry]}
//	POST /api/v1/cases/{id}/guardian      GuardianInput -> Workflow
//	POST /api/v1/cases/{id}/route         RouteChange -> Workflow (assistance onto the nrm route)
//
// There is no PUT or DELETE on entries: the case record is append-only.
func handleWorkflow(e WorkflowEndpoints, handle func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc, status int)) {
	handle("POST /api/v1/cases/{id}/transitions", e.Transition, decodeTransitionRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/support", e.SupportTransition, decodeTransitionRequest, http.StatusOK)
	handle("GET /api/v1/cases/{id}/workflow", e.Workflow, decodeCaseRequest, http.StatusOK)
	handle("GET /api/v1/decisions/queue", e.DecisionQueue, decodeNoRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/entries", e.AddEntry, decodeEntryRequest, http.StatusCreated)
	handle("GET /api/v1/cases/{id}/entries", e.Entries, decodeCaseRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/guardian", e.AppointGuardian, decodeGuardianRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/route", e.ChangeRoute, decodeRouteRequest, http.StatusOK)
	handleOversight(e.Oversight, handle)
}

func decodeNoRequest(_ context.Context, r *http.Request) (any, error) {
	return struct{}{}, noBody(r)
}

func decodeTransitionRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var t TransitionRequest
	if err := kit.DecodeJSON(nil, r, &t); err != nil {
		return nil, err
	}
	return transitionRequest{CaseID: id, TransitionRequest: t}, nil
}

func decodeGuardianRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var g GuardianInput
	if err := kit.DecodeJSON(nil, r, &g); err != nil {
		return nil, err
	}
	return guardianRequest{CaseID: id, GuardianInput: g}, nil
}

// decodeEntryRequest reads a larger body than kit allows (attachments),
// with the same strictness: one object, known fields only.
func decodeEntryRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxEntryBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, kit.NewError(http.StatusRequestEntityTooLarge, kit.CodeBodyTooLarge, "request body too large")
	}
	if err != nil {
		return nil, kit.NewError(http.StatusBadRequest, kit.CodeInvalidJSON, "unreadable body")
	}
	var in EntryInput
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || dec.More() {
		return nil, kit.NewError(http.StatusBadRequest, kit.CodeInvalidJSON, "body must be one entry object with known fields")
	}
	// Depth before anything decodes the content further (the service
	// checks it too, for in-process callers).
	if jsonDepth(in.Content) > maxEntryDepth {
		return nil, kit.Validation("content: nested more than 32 levels deep")
	}
	return entryRequest{CaseID: id, EntryInput: in}, nil
}

// Client side of the workflow methods.

// Transition implements Service.
func (c *client) Transition(ctx context.Context, id string, t TransitionRequest) (Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, t, id, "transitions")
}

// SupportTransition implements Service.
func (c *client) SupportTransition(ctx context.Context, id string, t TransitionRequest) (Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, t, id, "support")
}

// Workflow implements Service.
func (c *client) Workflow(ctx context.Context, id string) (Workflow, error) {
	return c.workflowCall(ctx, http.MethodGet, nil, id, "workflow")
}

// AppointGuardian implements Service.
func (c *client) AppointGuardian(ctx context.Context, id string, g GuardianInput) (Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, g, id, "guardian")
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

// DecisionQueue implements Service.
func (c *client) DecisionQueue(ctx context.Context) ([]QueueItem, error) {
	var out queueResponse
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "decisions", "queue"); err != nil {
		return nil, err
	}
	return out.Cases, nil
}

// AddEntry implements Service.
func (c *client) AddEntry(ctx context.Context, id string, in EntryInput) (Entry, error) {
	if err := checkIDs(id); err != nil {
		return Entry{}, err
	}
	var out Entry
	if err := c.call(ctx, http.MethodPost, http.StatusCreated, nil, in, &out, "cases", id, "entries"); err != nil {
		return Entry{}, err
	}
	return out, nil
}

// Entries implements Service.
func (c *client) Entries(ctx context.Context, id string) ([]Entry, error) {
	if err := checkIDs(id); err != nil {
		return nil, err
	}
	var out entriesResponse
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "cases", id, "entries"); err != nil {
		return nil, err
	}
	return out.Entries, nil
}
