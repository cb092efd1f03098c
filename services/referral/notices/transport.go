package notices

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Object is the Casbin object of the inbox (policies/policy.csv).
const Object = "referral.notifications"

// Endpoints collects the inbox endpoints.
type Endpoints struct {
	List, MarkRead endpoint.Endpoint
}

// MakeEndpoints wires s behind authentication and the enforcer; the
// service then shows each user only their own notices.
func MakeEndpoints(s Service, authn endpoint.Middleware, enf *authz.Enforcer, denials authz.DenialRecorder) Endpoints {
	g := func(action string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(Object, action, denials)(e))
	}
	return Endpoints{
		List: g("read", func(ctx context.Context, req any) (any, error) {
			v, err := s.Notices(ctx, req.(Query))
			return noticePageResponse{v, err}, nil
		}),
		MarkRead: g("mark", func(ctx context.Context, req any) (any, error) {
			n, err := s.MarkRead(ctx, req.(markReadRequest).IDs)
			return markReadResponse{Marked: n, Err: err}, nil
		}),
	}
}

type noticePageResponse struct {
	Page
	Err error `json:"-"`
}

func (r noticePageResponse) Failed() error { return r.Err }

type markReadRequest struct {
	IDs []string `json:"ids"`
}

type markReadResponse struct {
	Marked int   `json:"marked"` // how many were unread until now
	Err    error `json:"-"`
}

func (r markReadResponse) Failed() error { return r.Err }

var (
	_ endpoint.Failer = noticePageResponse{}
	_ endpoint.Failer = markReadResponse{}
)

// MakeHTTPHandler returns the inbox API:
//
//	GET  /api/v1/notifications?unread=true&limit=50&offset=0  -> {"notifications","unread","next_offset"}
//	POST /api/v1/notifications/{id}/read                       -> {"marked"}
//	POST /api/v1/notifications/read {"ids": [...]}             -> {"marked"}
func MakeHTTPHandler(e Endpoints, logger log.Logger) http.Handler {
	opts := kit.ServerOptions(logger, auth.TokenToContext)
	mux := http.NewServeMux()
	handle := func(pattern string, ep endpoint.Endpoint, dec httptransport.DecodeRequestFunc) {
		mux.Handle(pattern, httptransport.NewServer(ep, dec, kit.EncodeJSON(http.StatusOK, logger), opts...))
	}
	const n = "/api/v1/notifications"
	handle("GET "+n, e.List, decodeNoticeQuery)
	handle("POST "+n+"/read", e.MarkRead, decodeMarkRead)
	handle("POST "+n+"/{id}/read", e.MarkRead, decodeMarkOneRead)
	return kit.JSONErrors(mux)
}

func decodeNoticeQuery(_ context.Context, r *http.Request) (any, error) {
	q := r.URL.Query()
	var out Query
	var bad []string
	switch q.Get("unread") {
	case "", "false":
	case "true":
		out.Unread = true
	default:
		bad = append(bad, "unread: true or false")
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"limit", &out.Limit}, {"offset", &out.Offset}} {
		if s := q.Get(f.name); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil {
				bad = append(bad, f.name+": an integer")
				continue
			}
			*f.dst = v
		}
	}
	if len(bad) > 0 {
		return nil, kit.Validation(strings.Join(bad, "; "))
	}
	return out, nil
}

func decodeMarkRead(_ context.Context, r *http.Request) (any, error) {
	var req markReadRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeMarkReadBody(b []byte) (any, error) {
	var req markReadRequest
	if err := kit.DecodeJSONBytes(b, &req); err != nil {
		return nil, err
	}
	return req, nil
}

func decodeMarkOneRead(_ context.Context, r *http.Request) (any, error) {
	return markReadRequest{IDs: []string{r.PathValue("id")}}, nil
}
