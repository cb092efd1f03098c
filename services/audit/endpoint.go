package audit

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/authz"
)

// Authorisation objects (policies/policy.csv), all with action "read".
const (
	ObjectEvents      = "audit.events"
	ObjectProofs      = "audit.proofs"
	ObjectCheckpoints = "audit.checkpoints"
	ObjectAlerts      = "audit.alerts"
)

// Endpoints are the auditors' endpoints.
type Endpoints struct {
	Events           endpoint.Endpoint
	Proof            endpoint.Endpoint
	LatestCheckpoint endpoint.Endpoint
	Consistency      endpoint.Endpoint
	Alerts           endpoint.Endpoint
}

// MakeEndpoints wraps s: authn authenticates (production passes
// auth.Middleware(authenticator)), enf authorises, and denials are recorded
// through rec (the *Log itself).
func MakeEndpoints(s Service, authn endpoint.Middleware, enf *authz.Enforcer, rec authz.DenialRecorder) Endpoints {
	wrap := func(object string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(object, "read", rec)(e))
	}
	return Endpoints{
		Events:           wrap(ObjectEvents, makeEventsEndpoint(s)),
		Proof:            wrap(ObjectProofs, makeProofEndpoint(s)),
		LatestCheckpoint: wrap(ObjectCheckpoints, makeLatestCheckpointEndpoint(s)),
		Consistency:      wrap(ObjectProofs, makeConsistencyEndpoint(s)),
		Alerts:           wrap(ObjectAlerts, makeAlertsEndpoint(s)),
	}
}

type eventsRequest struct{ Query Query }

type eventsResponse struct {
	Page EventPage
	Err  error `json:"-"`
}

func (r eventsResponse) Failed() error { return r.Err }

type proofRequest struct {
	ID   string
	Size int64
}

type proofResponse struct {
	Proof InclusionProof
	Err   error `json:"-"`
}

func (r proofResponse) Failed() error { return r.Err }

type checkpointResponse struct {
	Note []byte
	Err  error `json:"-"`
}

func (r checkpointResponse) Failed() error { return r.Err }

type consistencyRequest struct{ From, To int64 }

type consistencyResponse struct {
	Proof ConsistencyProof
	Err   error `json:"-"`
}

func (r consistencyResponse) Failed() error { return r.Err }

var (
	_ endpoint.Failer = eventsResponse{}
	_ endpoint.Failer = proofResponse{}
	_ endpoint.Failer = checkpointResponse{}
	_ endpoint.Failer = consistencyResponse{}
)

func makeEventsEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		p, err := s.Events(ctx, request.(eventsRequest).Query)
		return eventsResponse{Page: p, Err: err}, nil
	}
}

func makeAlertsEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		p, err := s.Alerts(ctx, request.(eventsRequest).Query)
		return eventsResponse{Page: p, Err: err}, nil
	}
}

func makeProofEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(proofRequest)
		p, err := s.Proof(ctx, req.ID, req.Size)
		return proofResponse{Proof: p, Err: err}, nil
	}
}

func makeLatestCheckpointEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		n, err := s.LatestCheckpoint(ctx)
		return checkpointResponse{Note: n, Err: err}, nil
	}
}

func makeConsistencyEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(consistencyRequest)
		p, err := s.Consistency(ctx, req.From, req.To)
		return consistencyResponse{Proof: p, Err: err}, nil
	}
}
