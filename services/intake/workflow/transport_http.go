package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/transport"
)

// maxEntryBody bounds POST /entries: a 5 MiB attachment in base64 and its
// JSON envelope.
const maxEntryBody = MaxAttachmentBytes*4/3 + 64<<10

// HandleHTTP adds the workflow routes:
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
func HandleHTTP(e Endpoints, handle transport.Handle) {
	handle("POST /api/v1/cases/{id}/transitions", e.Transition, decodeTransitionRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/support", e.SupportTransition, decodeTransitionRequest, http.StatusOK)
	handle("GET /api/v1/cases/{id}/workflow", e.Workflow, decodeCaseRequest, http.StatusOK)
	handle("GET /api/v1/decisions/queue", e.DecisionQueue, transport.DecodeNoRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/entries", e.AddEntry, decodeEntryRequest, http.StatusCreated)
	handle("GET /api/v1/cases/{id}/entries", e.Entries, decodeCaseRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/guardian", e.AppointGuardian, decodeGuardianRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/route", e.ChangeRoute, transport.DecodeBody(func(id string, in RouteChange) any {
		return routeRequest{CaseID: id, RouteChange: in}
	}), http.StatusOK)
}

func decodeCaseRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.CaseID(r)
	if err != nil {
		return nil, err
	}
	return caseRequest{CaseID: id}, nil
}

func decodeTransitionRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	var t casefile.TransitionRequest
	if err := kit.DecodeJSON(nil, r, &t); err != nil {
		return nil, err
	}
	return transitionRequest{CaseID: id, TransitionRequest: t}, nil
}

func decodeGuardianRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	var g casefile.GuardianInput
	if err := kit.DecodeJSON(nil, r, &g); err != nil {
		return nil, err
	}
	return guardianRequest{CaseID: id, GuardianInput: g}, nil
}

// decodeEntryRequest reads a larger body than kit allows (attachments),
// with the same strictness: one object, known fields only.
func decodeEntryRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
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
	var in casefile.EntryInput
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
