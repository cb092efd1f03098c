package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"
)

// ServerOptions are the go-kit server options of every service's HTTP
// transport: request id and client address in the context (with before,
// for example the caller's token), errors through ErrorEncoder, and no
// answer kept by a cache.
func ServerOptions(logger log.Logger, before ...httptransport.RequestFunc) []httptransport.ServerOption {
	return []httptransport.ServerOption{
		httptransport.ServerBefore(append([]httptransport.RequestFunc{PopulateContext}, before...)...),
		httptransport.ServerErrorEncoder(ErrorEncoder(logger)),
		httptransport.ServerAfter(httptransport.SetResponseHeader("Cache-Control", "no-store")),
	}
}

// WriteFailure writes the business error a response carries (an
// endpoint.Failer whose Failed is not nil) through ErrorEncoder and
// reports whether it did: the same answer as an error from the endpoint.
func WriteFailure(ctx context.Context, w http.ResponseWriter, response any, logger log.Logger) bool {
	f, ok := response.(endpoint.Failer)
	if !ok || f.Failed() == nil {
		return false
	}
	ErrorEncoder(logger)(ctx, f.Failed(), w)
	return true
}

// EncodeJSON returns the response encoder of a JSON endpoint: a business
// error as the JSON error shape, a success as the response with status
// (no body for 204).
func EncodeJSON(status int, logger log.Logger) httptransport.EncodeResponseFunc {
	return func(ctx context.Context, w http.ResponseWriter, response any) error {
		if WriteFailure(ctx, w, response, logger) {
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

// Client calls one service's HTTP API, the shape of every service's
// client: the caller's request id (and, through before, its token)
// forwarded, a body sent as JSON, an answer other than 2xx returned as
// the *Error the server wrote, so a caller cannot tell a remote service
// from the one in its own process.
type Client struct {
	service string
	base    *url.URL
	opts    []httptransport.ClientOption
}

// maxAnswer bounds what a client reads of one answer.
const maxAnswer = 64 << 20

// NewClient returns a Client of service at instance (scheme://host[:port]
// or host:port). hc defaults to a client giving up after 30 s.
func NewClient(service, instance string, hc HTTPClient, before ...httptransport.RequestFunc) (*Client, error) {
	if !strings.Contains(instance, "://") {
		instance = "http://" + instance
	}
	u, err := url.Parse(instance)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: client: bad instance address", service)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{service: service, base: u, opts: []httptransport.ClientOption{
		httptransport.SetClient(hc),
		httptransport.ClientBefore(append([]httptransport.RequestFunc{RequestIDToHTTP}, before...)...),
	}}, nil
}

// RequestIDToHTTP forwards the request id of ctx to an outgoing request.
func RequestIDToHTTP(ctx context.Context, r *http.Request) context.Context {
	if id := RequestID(ctx); id != "" {
		r.Header.Set(RequestIDHeader, id)
	}
	return ctx
}

// Call sends method path?query with body as JSON (none when nil) and
// decodes a 2xx answer into out: JSON, or the raw bytes when out is a
// *[]byte; nothing when out is nil.
func (c *Client) Call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	// The path is appended as it is, never cleaned: an id escaped into it
	// stays one segment, whatever dots it holds.
	ref, err := url.Parse(path)
	if err != nil || ref.Scheme != "" || ref.Host != "" {
		return fmt.Errorf("%s: client: bad path", c.service)
	}
	u := *c.base
	u.Path = strings.TrimSuffix(c.base.Path, "/") + ref.Path
	u.RawPath = strings.TrimSuffix(c.base.EscapedPath(), "/") + ref.EscapedPath()
	u.RawQuery = query.Encode()
	enc := func(_ context.Context, r *http.Request, _ any) error {
		if body == nil {
			return nil
		}
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s: client: %w", c.service, err)
		}
		r.Header.Set("Content-Type", "application/json")
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		return nil
	}
	dec := func(_ context.Context, resp *http.Response) (any, error) {
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		if err != nil {
			return nil, fmt.Errorf("%s: client: %w", c.service, err)
		}
		if resp.StatusCode/100 != 2 {
			return nil, DecodeErrorBody(resp.StatusCode, b)
		}
		switch o := out.(type) {
		case nil:
		case *[]byte:
			*o = b
		default:
			if err := json.Unmarshal(b, out); err != nil {
				return nil, fmt.Errorf("%s: client: decode: %w", c.service, err)
			}
		}
		return nil, nil
	}
	_, err = httptransport.NewClient(method, &u, enc, dec, c.opts...).Endpoint()(ctx, nil)
	return err
}

// HTTPClient is what a Client sends its requests with (*http.Client).
type HTTPClient = httptransport.HTTPClient
