package referral

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/kit"
)

// ObjectNotifications is the Casbin object of the inbox (policies/policy.csv).
const ObjectNotifications = "referral.notifications"

// NoticeEndpoints collects the inbox endpoints.
type NoticeEndpoints struct {
	List, MarkRead endpoint.Endpoint
}

// MakeNoticeEndpoints wires s behind authentication and the enforcer; the
// service then shows each user only their own notices.
func MakeNoticeEndpoints(s NoticeService, authn endpoint.Middleware, enf *authz.Enforcer, denials authz.DenialRecorder) NoticeEndpoints {
	g := func(action string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(ObjectNotifications, action, denials)(e))
	}
	return NoticeEndpoints{
		List: g("read", func(ctx context.Context, req any) (any, error) {
			v, err := s.Notices(ctx, req.(NoticeQuery))
			return noticePageResponse{v, err}, nil
		}),
		MarkRead: g("mark", func(ctx context.Context, req any) (any, error) {
			n, err := s.MarkRead(ctx, req.(markReadRequest).IDs)
			return markReadResponse{Marked: n, Err: err}, nil
		}),
	}
}

type noticePageResponse struct {
	NoticePage
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

// MakeNoticeHTTPHandler returns the inbox API:
//
//	GET  /api/v1/notifications?unread=true&limit=50&offset=0  -> {"notifications","unread","next_offset"}
//	POST /api/v1/notifications/{id}/read                       -> {"marked"}
//	POST /api/v1/notifications/read {"ids": [...]}             -> {"marked"}
func MakeNoticeHTTPHandler(e NoticeEndpoints, logger log.Logger) http.Handler {
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
	var out NoticeQuery
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

// NewNoticeClient returns a NoticeService calling the inbox API at
// instance, with the caller's token.
func NewNoticeClient(instance string, hc httptransport.HTTPClient) (NoticeService, error) {
	c, err := NewClient(instance, hc)
	if err != nil {
		return nil, err
	}
	return noticeClient{c.(*client)}, nil
}

type noticeClient struct{ c *client }

func (n noticeClient) Notices(ctx context.Context, q NoticeQuery) (NoticePage, error) {
	v := url.Values{"limit": {strconv.Itoa(q.Limit)}, "offset": {strconv.Itoa(q.Offset)}}
	if q.Limit == 0 {
		v.Del("limit")
	}
	if q.Unread {
		v.Set("unread", "true")
	}
	var out NoticePage
	err := n.c.call(ctx, http.MethodGet, "/api/v1/notifications", v, nil, &out)
	return out, err
}

func (n noticeClient) MarkRead(ctx context.Context, ids []string) (int, error) {
	var out struct {
		Marked int `json:"marked"`
	}
	err := n.c.call(ctx, http.MethodPost, "/api/v1/notifications/read", nil, markReadRequest{IDs: ids}, &out)
	return out.Marked, err
}

// NoticeLoggingMiddleware logs each inbox call's method, outcome and
// duration; never its arguments or results.
func NoticeLoggingMiddleware(logger log.Logger) func(NoticeService) NoticeService {
	return decorateNotices.Logging(logger)
}

var decorateNotices kit.Decorator[NoticeService] = func(next NoticeService, observe kit.Observer) NoticeService {
	return observedNotices{next: next, observe: observe}
}

type observedNotices struct {
	next    NoticeService
	observe kit.Observer
}

func (m observedNotices) Notices(ctx context.Context, q NoticeQuery) (p NoticePage, err error) {
	defer func(begin time.Time) { m.observe(ctx, "Notices", begin, err) }(time.Now())
	return m.next.Notices(ctx, q)
}

func (m observedNotices) MarkRead(ctx context.Context, ids []string) (n int, err error) {
	defer func(begin time.Time) { m.observe(ctx, "MarkRead", begin, err) }(time.Now())
	return m.next.MarkRead(ctx, ids)
}
