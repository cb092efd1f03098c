package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/cases"
	"github.com/nrm-project/nrm/services/intake/cases/grants"
	"github.com/nrm-project/nrm/services/intake/oversight"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// maxClientResponse bounds a response body read by the client: a page of
// 200 cases with their attributes fits many times over.
const maxClientResponse = 8 << 20

// client is the intake Service over HTTP. It forwards the caller's token,
// and errors come back as the *kit.Error the server answered, so callers
// cannot tell it from the in-process service.
type client struct {
	cases.Service
	base *url.URL
	hc   httptransport.HTTPClient
	// Client makes the workflow's calls through call.
	*workflow.Client
	// Oversight makes oversight's calls through call.
	Oversight
	// Grants makes the grants' calls through call.
	Grants
}

// NewClient returns a Service calling the intake API at instance. hc
// defaults to http.DefaultClient; use one with mutual TLS between services.
func NewClient(instance string, hc httptransport.HTTPClient) (Service, error) {
	if !strings.Contains(instance, "://") {
		instance = "http://" + instance
	}
	u, err := url.Parse(instance)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("intake: bad instance address")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	c := &client{base: u, hc: hc}
	c.Client = workflow.NewClient(c.call)
	c.Service = cases.NewClient(c.call)
	c.Oversight = oversight.NewClient(c.call)
	c.Grants = grants.NewClient(c.call)
	return c, nil
}

// call sends one request. segments are joined onto /api/v1 and escaped;
// body, when not nil, is sent as JSON; a status other than ok is returned
// as the server's *kit.Error; out, when not nil, receives the body.
func (c *client) call(ctx context.Context, method string, ok int, query url.Values, body, out any, segments ...string) error {
	u := c.base.JoinPath(append([]string{"api", "v1"}, segments...)...)
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	enc := func(_ context.Context, r *http.Request, _ any) error {
		if body == nil {
			return nil
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return fmt.Errorf("intake: encode request: %w", err)
		}
		r.Header.Set("Content-Type", "application/json")
		r.Body = io.NopCloser(&buf)
		r.ContentLength = int64(buf.Len())
		return nil
	}
	dec := func(_ context.Context, resp *http.Response) (any, error) {
		raw, err := io.ReadAll(io.LimitReader(resp.Body, maxClientResponse))
		if err != nil {
			return nil, fmt.Errorf("intake: read response: %w", err)
		}
		if resp.StatusCode != ok {
			return nil, kit.DecodeErrorBody(resp.StatusCode, raw)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				return nil, fmt.Errorf("intake: decode response: %w", err)
			}
		}
		return nil, nil
	}
	var ep endpoint.Endpoint = httptransport.NewClient(method, u, enc, dec,
		httptransport.SetClient(c.hc),
		httptransport.ClientBefore(auth.TokenToHTTP, requestIDToHTTP, idempotency.KeyToHTTP),
	).Endpoint()
	_, err := ep(ctx, nil)
	return err
}

func requestIDToHTTP(ctx context.Context, r *http.Request) context.Context {
	if id := kit.RequestID(ctx); id != "" {
		r.Header.Set(kit.RequestIDHeader, id)
	}
	return ctx
}

// KeyStatus implements Service.
func (c *client) KeyStatus(ctx context.Context) ([]KeyStatus, error) {
	var out struct {
		Keys []KeyStatus `json:"keys"`
	}
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "keys"); err != nil {
		return nil, err
	}
	return out.Keys, nil
}
