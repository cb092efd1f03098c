package kit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/go-kit/log"
)

type echoResponse struct {
	Said string `json:"said"`
	Err  error  `json:"-"`
}

func (r echoResponse) Failed() error { return r.Err }

var _ endpoint.Failer = echoResponse{}

// A service's client returns the very *Error its server answered, and
// every unknown path or wrong method is the JSON error shape.
func TestClientAndServerShareOneShape(t *testing.T) {
	echo := func(_ context.Context, req any) (any, error) {
		switch s := req.(string); s {
		case "refuse":
			return echoResponse{Err: Conflict("state: not allowed now")}, nil
		default:
			return echoResponse{Said: s}, nil
		}
	}
	dec := func(_ context.Context, r *http.Request) (any, error) { return r.URL.Query().Get("say"), nil }
	var sawToken, sawID string
	token := func(ctx context.Context, r *http.Request) context.Context {
		sawToken, sawID = r.Header.Get("Authorization"), r.Header.Get(RequestIDHeader)
		return ctx
	}
	mux := http.NewServeMux()
	mux.Handle("GET /echo", httptransport.NewServer(echo, dec, EncodeJSON(http.StatusOK, log.NewNopLogger()), ServerOptions(log.NewNopLogger(), token)...))
	srv := httptest.NewServer(JSONErrors(mux))
	t.Cleanup(srv.Close)

	c, err := NewClient("test", srv.URL, srv.Client(), func(ctx context.Context, r *http.Request) context.Context {
		r.Header.Set("Authorization", "Bearer t")
		return ctx
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithRequestID(context.Background(), "0123456789abcdef0123456789abcdef")
	var out echoResponse
	if err := c.Call(ctx, http.MethodGet, "/echo", map[string][]string{"say": {"hi"}}, nil, &out); err != nil || out.Said != "hi" {
		t.Fatalf("call: %v %+v", err, out)
	}
	if sawToken != "Bearer t" || sawID != "0123456789abcdef0123456789abcdef" {
		t.Errorf("forwarded token %q, request id %q", sawToken, sawID)
	}
	err = c.Call(ctx, http.MethodGet, "/echo", map[string][]string{"say": {"refuse"}}, nil, &out)
	if !errors.Is(err, Conflict("")) || AsError(err).Message != "state: not allowed now" {
		t.Errorf("business error came back as %v", err)
	}
	for _, tc := range []struct {
		method, path string
		want         *Error
	}{
		{http.MethodGet, "/nowhere", ErrNotFound},
		{http.MethodPost, "/echo", ErrMethodNotAllowed},
	} {
		var raw []byte
		err := c.Call(ctx, tc.method, tc.path, nil, nil, &raw)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.path, err, tc.want)
		}
	}
	var sawPath string
	mux.HandleFunc("/raw/", func(w http.ResponseWriter, r *http.Request) { sawPath = r.URL.EscapedPath() })
	if err := c.Call(ctx, http.MethodGet, "/raw/"+url.PathEscape("../echo")+"/x", nil, nil, nil); err != nil || sawPath != "/raw/..%2Fecho/x" {
		t.Errorf("an escaped id left its segment: %v, server saw %q", err, sawPath)
	}
	if _, err := NewClient("test", "ftp://example.org", nil); err == nil {
		t.Error("a non-HTTP instance was accepted")
	}
}
