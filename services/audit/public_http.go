package audit

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/kit"
)

// PublicEndpoints are the unauthenticated verifier endpoints.
type PublicEndpoints struct {
	Key         endpoint.Endpoint
	Checkpoint  endpoint.Endpoint
	LeafProof   endpoint.Endpoint
	Consistency endpoint.Endpoint
}

// MakePublicEndpoints adapts p. There is no authentication to add: the
// server's per-address rate limit is what bounds them.
func MakePublicEndpoints(p Public) PublicEndpoints {
	return PublicEndpoints{
		Key: func(ctx context.Context, _ any) (any, error) {
			k, err := p.PublicKey(ctx)
			return checkpointResponse{Note: []byte(k + "\n"), Err: err}, nil
		},
		Checkpoint: func(ctx context.Context, _ any) (any, error) {
			n, err := p.PublicCheckpoint(ctx)
			return checkpointResponse{Note: n, Err: err}, nil
		},
		LeafProof: func(ctx context.Context, request any) (any, error) {
			req := request.(leafProofRequest)
			lp, err := p.LeafProof(ctx, req.Index, req.Size)
			return leafProofResponse{Proof: lp, Err: err}, nil
		},
		Consistency: func(ctx context.Context, request any) (any, error) {
			req := request.(consistencyRequest)
			cp, err := p.PublicConsistency(ctx, req.From, req.To)
			return consistencyResponse{Proof: cp, Err: err}, nil
		},
	}
}

type leafProofRequest struct{ Index, Size int64 }

type leafProofResponse struct {
	Proof LeafProof
	Err   error `json:"-"`
}

func (r leafProofResponse) Failed() error { return r.Err }

var _ endpoint.Failer = leafProofResponse{}

// Public routes, under PublicPrefix.
const PublicPrefix = "/api/v1/audit/public/"

// MakePublicHandler serves the verifier's API, without authentication:
//
//	GET /api/v1/audit/public/key                     (text/plain note verifier key)
//	GET /api/v1/audit/public/checkpoint              (text/plain signed checkpoint)
//	GET /api/v1/audit/public/proofs/{index}?size=N   (inclusion proof of a leaf, with its hash)
//	GET /api/v1/audit/public/consistency?from=N&to=M
func MakePublicHandler(e PublicEndpoints, logger log.Logger) http.Handler {
	opts := []httptransport.ServerOption{
		httptransport.ServerBefore(kit.PopulateContext),
		httptransport.ServerErrorEncoder(kit.ErrorEncoder(logger)),
	}
	m := http.NewServeMux()
	m.Handle("GET "+PublicPrefix+"key", httptransport.NewServer(e.Key, decodeNothing, encodePublicText, opts...))
	m.Handle("GET "+PublicPrefix+"checkpoint", httptransport.NewServer(e.Checkpoint, decodeNothing, encodePublicText, opts...))
	m.Handle("GET "+PublicPrefix+"proofs/{index}", httptransport.NewServer(e.LeafProof, decodeLeafProofRequest, encodePublicJSON, opts...))
	m.Handle("GET "+PublicPrefix+"consistency", httptransport.NewServer(e.Consistency, decodeConsistencyRequest, encodePublicJSON, opts...))
	m.HandleFunc(PublicPrefix, kit.NotFound)
	return kit.JSONErrors(m)
}

func decodeLeafProofRequest(_ context.Context, r *http.Request) (any, error) {
	idx, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || idx < 0 {
		return nil, ErrBadPublicSize
	}
	req := leafProofRequest{Index: idx}
	if s := r.URL.Query().Get("size"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return nil, ErrBadPublicSize
		}
		req.Size = n
	}
	return req, nil
}

// encodePublicText writes a note: the verifier key or a checkpoint.
func encodePublicText(ctx context.Context, w http.ResponseWriter, response any) error {
	if kit.WriteFailure(ctx, w, response, log.NewNopLogger()) {
		return nil
	}
	r := response.(checkpointResponse)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write(r.Note)
	return err
}

func encodePublicJSON(ctx context.Context, w http.ResponseWriter, response any) error {
	if kit.WriteFailure(ctx, w, response, log.NewNopLogger()) {
		return nil
	}
	var body any
	switch r := response.(type) {
	case leafProofResponse:
		body = r.Proof
	case consistencyResponse:
		body = r.Proof
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(body)
}
