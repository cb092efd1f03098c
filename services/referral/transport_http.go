package referral

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/external"
)

// MakeHTTPHandler returns the public HTTP API of the referral service.
func MakeHTTPHandler(e Endpoints, logger log.Logger) http.Handler {
	opts := kit.ServerOptions(logger, auth.TokenToContext, idempotency.KeyToContext)
	mux := http.NewServeMux()
	handle := func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc, status int) {
		mux.Handle(pattern, httptransport.NewServer(ep, dec, kit.EncodeJSON(status, logger), opts...))
	}
	const r = "/api/v1/referrals"
	handle("POST "+r, e.Create, decodeCreateRequest, http.StatusCreated)
	handle("GET "+r+"/inbox", e.Inbox, decodeEmpty, http.StatusOK)
	handle("GET "+r+"/sent", e.Sent, decodeEmpty, http.StatusOK)
	handle("GET "+r+"/board", e.Board, decodeEmpty, http.StatusOK)
	handle("GET "+r+"/route", e.Route, decodeRouteRequest, http.StatusOK)
	handle("GET "+r+"/notifications", e.Notifications, decodeNotificationsRequest, http.StatusOK)
	handle("GET "+r+"/{id}", e.Get, decodeID, http.StatusOK)
	handle("POST "+r+"/{id}/accept", e.Accept, decodeID, http.StatusOK)
	handle("POST "+r+"/{id}/decline", e.Decline, decodeDeclineRequest, http.StatusOK)
	handle("POST "+r+"/{id}/arrived", e.Arrive, decodeID, http.StatusOK)
	handle("POST "+r+"/{id}/complete", e.Complete, decodeID, http.StatusOK)
	handle("POST "+r+"/{id}/left", e.Leave, decodeID, http.StatusOK)
	handle("POST "+r+"/{id}/withdraw", e.Withdraw, decodeWithdrawRequest, http.StatusOK)
	handle("POST "+r+"/{id}/approve", e.Approve, decodeID, http.StatusOK)
	handle("GET "+r+"/{id}/candidates", e.Candidates, decodeID, http.StatusOK)
	handle("POST "+r+"/{id}/place", e.Place, decodePlaceRequest, http.StatusOK)
	mux.Handle("GET "+r+"/{id}/package", httptransport.NewServer(e.Package, decodeID, encodePackage(logger), opts...))
	const p = "/api/v1/providers"
	handle("GET "+p, e.ListProviders, decodeListProviders, http.StatusOK)
	handle("GET "+p+"/export", e.ExportHSDS, decodeEmpty, http.StatusOK)
	handle("POST "+p+"/import", e.ImportHSDS, decodeImportRequest, http.StatusOK)
	handle("GET "+p+"/{org_id}", e.GetProvider, decodeOrgID, http.StatusOK)
	handle("PUT "+p+"/{org_id}", e.PutProvider, decodePutProviderRequest, http.StatusOK)
	handle("PUT "+p+"/{org_id}/capacity", e.SetCapacity, decodeCapacityRequest, http.StatusOK)
	handle("POST "+p+"/{org_id}/webhook-secret", e.RotateWebhookSecret, decodeOrgID, http.StatusOK)
	return kit.JSONErrors(mux)
}

// PackageHashHeader carries the hex SHA-256 of a package, as recorded.
const PackageHashHeader = external.HashHeader

// encodePackage writes the armored age file itself, not JSON.
func encodePackage(logger log.Logger) httptransport.EncodeResponseFunc {
	return func(ctx context.Context, w http.ResponseWriter, response any) error {
		if kit.WriteFailure(ctx, w, response, logger) {
			return nil
		}
		return external.Write(w, response.(packageResponse).DisclosurePackage)
	}
}

// pathID returns a UUID path parameter; anything else is a 404, as an
// unknown referral would be.
func pathID(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if !validID(id) {
		return "", kit.ErrNotFound
	}
	return id, nil
}

func decodeEmpty(context.Context, *http.Request) (any, error) { return nil, nil }

func decodeID(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	return idRequest{ID: id}, err
}

func decodeOrgID(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "org_id")
	return idRequest{ID: id}, err
}

// The body decoders go through kit.DecodeJSON (one object, known fields,
// right types, bounded size), via decodeBody so that the fuzz targets run
// the same code on bytes.

func decodeCreateRequest(_ context.Context, r *http.Request) (any, error) {
	var req NewReferral
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeCreateBody(b []byte) (any, error) {
	var req NewReferral
	if err := kit.DecodeJSONBytes(b, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeDeclineRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var req declineRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	req.ID = id
	return req, nil
}

func decodeDeclineBody(b []byte) (any, error) {
	var req declineRequest
	if err := kit.DecodeJSONBytes(b, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodePlaceRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	req := placeRequest{}
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	req.ID = id
	return req, nil
}

// decodePlaceBody is the placement body's decoding, for fuzzing.
func decodePlaceBody(b []byte) (any, error) {
	var req placeRequest
	if err := kit.DecodeJSONBytes(b, &req); err != nil {
		return nil, err
	}
	return req, nil
}

// decodeWithdrawRequest takes an optional body: the owner withdraws with
// none, a coordinator in an emergency gives reason and note codes.
func decodeWithdrawRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	req := withdrawRequest{}
	if r.ContentLength != 0 {
		if err := kit.DecodeJSON(nil, r, &req); err != nil {
			return nil, err
		}
	}
	req.ID = id
	return req, nil
}

func decodeWithdrawBody(b []byte) (any, error) {
	var req withdrawRequest
	if err := kit.DecodeJSONBytes(b, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodePutProviderRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "org_id")
	if err != nil {
		return nil, err
	}
	var in ProviderInput
	if err := kit.DecodeJSON(nil, r, &in); err != nil {
		return nil, err
	}
	return putProviderRequest{OrgID: id, Input: in}, nil
}

func decodeProviderBody(b []byte) (any, error) {
	var in ProviderInput
	if err := kit.DecodeJSONBytes(b, &in); err != nil {
		return nil, err
	}
	return in, nil
}

func decodeCapacityRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := pathID(r, "org_id")
	if err != nil {
		return nil, err
	}
	var req capacityRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	req.OrgID = id
	return req, nil
}

func decodeCapacityBody(b []byte) (any, error) {
	var req capacityRequest
	if err := kit.DecodeJSONBytes(b, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeImportRequest(_ context.Context, r *http.Request) (any, error) {
	var d HSDSDocument
	if err := kit.DecodeJSON(nil, r, &d); err != nil {
		return nil, err
	}
	return d, nil
}

func decodeImportBody(b []byte) (any, error) {
	var d HSDSDocument
	if err := kit.DecodeJSONBytes(b, &d); err != nil {
		return nil, err
	}
	return d, nil
}

func decodeRouteRequest(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	return RouteQuery{CaseID: q.Get("case_id"), Service: q.Get("service"), Urgency: q.Get("urgency")}, nil
}

func decodeNotificationsRequest(_ context.Context, r *http.Request) (any, error) {
	s := r.URL.Query().Get("after")
	if s == "" {
		return notificationsRequest{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return nil, kit.Validation("after: a non-negative integer")
	}
	return notificationsRequest{After: n}, nil
}

func decodeListProviders(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	return listProvidersRequest{Service: q.Get("service"), Region: q.Get("region")}, nil
}
