package notices

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// NewClient returns a Service calling the inbox API at
// instance, with the caller's token.
func NewClient(instance string, hc httptransport.HTTPClient) (Service, error) {
	api, err := kit.NewClient("referral", instance, hc, auth.TokenToHTTP)
	if err != nil {
		return nil, err
	}
	return client{api}, nil
}

// client is the inbox over HTTP (kit.Client); errors come back as the
// *kit.Error the server answered.
type client struct{ api *kit.Client }

func (n client) Notices(ctx context.Context, q Query) (Page, error) {
	v := url.Values{"limit": {strconv.Itoa(q.Limit)}, "offset": {strconv.Itoa(q.Offset)}}
	if q.Limit == 0 {
		v.Del("limit")
	}
	if q.Unread {
		v.Set("unread", "true")
	}
	var out Page
	err := n.api.Call(ctx, http.MethodGet, "/api/v1/notifications", v, nil, &out)
	return out, err
}

func (n client) MarkRead(ctx context.Context, ids []string) (int, error) {
	var out struct {
		Marked int `json:"marked"`
	}
	err := n.api.Call(ctx, http.MethodPost, "/api/v1/notifications/read", nil, markReadRequest{IDs: ids}, &out)
	return out.Marked, err
}
