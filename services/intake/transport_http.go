package intake

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/cases"
	"github.com/nrm-project/nrm/services/intake/cases/grants"
	"github.com/nrm-project/nrm/services/intake/oversight"
	"github.com/nrm-project/nrm/services/intake/transport"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// MaxListLimit is the largest page a list request may ask for.
const MaxListLimit = cases.MaxListLimit

// MakeHTTPHandler returns the public HTTP API of the intake service: the
// cases routes (cases.HandleRoutes), the grants' (grants.HandleRoutes),
// the workflow's (workflow.HandleHTTP), oversight's
// (oversight.HandleRoutes), and
//
//	GET  /api/v1/keys                                   -> {"keys":[KeyStatus]} (admins)
//
// Ids in the path that are not UUIDs are 404, like ids the caller may not
// see. Any other path or method reaching the handler gets a JSON 404 or
// 405, never the mux's plain text.
func MakeHTTPHandler(e Endpoints, logger log.Logger) http.Handler {
	opts := []httptransport.ServerOption{
		httptransport.ServerBefore(kit.PopulateContext, auth.TokenToContext, idempotency.KeyToContext),
		httptransport.ServerErrorEncoder(noStore(kit.ErrorEncoder(logger))),
	}
	routes := http.NewServeMux()
	handle := func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc, status int) {
		routes.Handle(pattern, httptransport.NewServer(ep, dec, encodeResponse(status, logger), opts...))
	}
	cases.HandleRoutes(e.Endpoints, handle)
	handle("GET /api/v1/keys", e.KeyStatus, transport.DecodeNoRequest, http.StatusOK)
	grants.HandleRoutes(e.Grants, handle)
	workflow.HandleHTTP(e.Workflow, handle)
	oversight.HandleRoutes(e.Oversight, handle)
	return jsonFallback(routes)
}

// routeMethods are the methods probed to tell a wrong method (405) from an
// unknown path (404).
var routeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// jsonFallback serves requests routes has a pattern for and answers the
// rest in the API's error shape: 405 with an Allow header when the path
// exists under another method, 404 otherwise.
func jsonFallback(routes *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := routes.Handler(r); pattern != "" {
			routes.ServeHTTP(w, r)
			return
		}
		var allow []string
		for _, m := range routeMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := routes.Handler(probe); pattern != "" {
				allow = append(allow, m)
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		if len(allow) == 0 {
			kit.WriteError(w, kit.ErrNotFound)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		kit.WriteError(w, errMethodNotAllowed)
	})
}

var errMethodNotAllowed = kit.NewError(http.StatusMethodNotAllowed, kit.CodeMethodNotAllowed, "method not allowed")

// noStore makes error answers as uncacheable as the successes.
func noStore(enc httptransport.ErrorEncoder) httptransport.ErrorEncoder {
	return func(ctx context.Context, err error, w http.ResponseWriter) {
		w.Header().Set("Cache-Control", "no-store")
		enc(ctx, err, w)
	}
}

// encodeResponse writes a business error carried in the response through
// the same error encoder as transport errors, and a success with status.
// Nothing is cacheable: a case is personal data.
func encodeResponse(status int, logger log.Logger) httptransport.EncodeResponseFunc {
	errorEncoder := noStore(kit.ErrorEncoder(logger))
	return func(ctx context.Context, w http.ResponseWriter, response any) error {
		if f, ok := response.(endpoint.Failer); ok && f.Failed() != nil {
			errorEncoder(ctx, f.Failed(), w)
			return nil
		}
		w.Header().Set("Cache-Control", "no-store")
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return nil
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(response)
	}
}
