package stats

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Client is the stats Service over HTTP. It forwards the caller's token,
// so the server authorises the original user.
type Client struct {
	base *url.URL
	opts []httptransport.ClientOption
}

var _ Service = (*Client)(nil)

// NewClient returns a client of the stats API at base (scheme://host[:port]).
func NewClient(base string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("stats: client: bad base URL")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: u, opts: []httptransport.ClientOption{
		httptransport.SetClient(hc), httptransport.ClientBefore(auth.TokenToHTTP),
	}}, nil
}

func (c *Client) call(ctx context.Context, method, path string, q url.Values, body any, want int, decode func([]byte) (any, error)) (any, error) {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	enc := func(_ context.Context, r *http.Request, _ any) error {
		if body == nil {
			return nil
		}
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("stats: client: %w", err)
		}
		r.Header.Set("Content-Type", "application/json")
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		return nil
	}
	dec := func(_ context.Context, r *http.Response) (any, error) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("stats: client: %w", err)
		}
		if r.StatusCode != want {
			return nil, kit.DecodeErrorBody(r.StatusCode, b)
		}
		return decode(b)
	}
	return httptransport.NewClient(method, &u, enc, dec, c.opts...).Endpoint()(ctx, nil)
}

func decodeInto[T any](b []byte) (any, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("stats: client: decode: %w", err)
	}
	return v, nil
}

// Tables implements Service.
func (c *Client) Tables(ctx context.Context) ([]TableInfo, error) {
	r, err := c.call(ctx, http.MethodGet, "/api/v1/stats/tables", nil, nil, http.StatusOK, decodeInto[tablesResponse])
	if err != nil {
		return nil, err
	}
	return r.(tablesResponse).Tables, nil
}

// Table implements Service.
func (c *Client) Table(ctx context.Context, name, period string) (Table, error) {
	r, err := c.call(ctx, http.MethodGet, "/api/v1/stats/tables/"+url.PathEscape(name),
		url.Values{"period": {period}}, nil, http.StatusOK, decodeInto[Table])
	if err != nil {
		return Table{}, err
	}
	return r.(Table), nil
}

// Report implements Service.
func (c *Client) Report(ctx context.Context, year int) ([]byte, error) {
	r, err := c.call(ctx, http.MethodGet, "/api/v1/stats/report/"+strconv.Itoa(year), nil, nil, http.StatusOK,
		func(b []byte) (any, error) { return b, nil })
	if err != nil {
		return nil, err
	}
	return r.([]byte), nil
}

// CreateRelease implements Service.
func (c *Client) CreateRelease(ctx context.Context, spec ReleaseSpec) (Release, error) {
	r, err := c.call(ctx, http.MethodPost, "/api/v1/stats/releases", nil, spec, http.StatusCreated, decodeInto[Release])
	if err != nil {
		return Release{}, err
	}
	return r.(Release), nil
}

// ReleaseTable implements Service.
func (c *Client) ReleaseTable(ctx context.Context, release, name, period string, epsilon float64) (Table, error) {
	q := url.Values{}
	if period != "" {
		q.Set("period", period)
	}
	if epsilon != 0 {
		q.Set("epsilon", strconv.FormatFloat(epsilon, 'f', -1, 64))
	}
	r, err := c.call(ctx, http.MethodGet, "/api/v1/stats/releases/"+url.PathEscape(release)+"/tables/"+url.PathEscape(name),
		q, nil, http.StatusOK, decodeInto[Table])
	if err != nil {
		return Table{}, err
	}
	return r.(Table), nil
}

// Releases implements Service.
func (c *Client) Releases(ctx context.Context, period string) ([]Release, error) {
	q := url.Values{}
	if period != "" {
		q.Set("period", period)
	}
	r, err := c.call(ctx, http.MethodGet, "/api/v1/stats/releases", q, nil, http.StatusOK, decodeInto[releasesResponse])
	if err != nil {
		return nil, err
	}
	return r.(releasesResponse).Releases, nil
}

// Ledger implements Service.
func (c *Client) Ledger(ctx context.Context, period string) ([]LedgerEntry, error) {
	r, err := c.call(ctx, http.MethodGet, "/api/v1/stats/ledger", url.Values{"period": {period}}, nil, http.StatusOK,
		decodeInto[ledgerResponse])
	if err != nil {
		return nil, err
	}
	return r.(ledgerResponse).Entries, nil
}

// Series implements Service.
func (c *Client) Series(ctx context.Context, name, from, to string) (Series, error) {
	r, err := c.call(ctx, http.MethodGet, "/api/v1/stats/tables/"+url.PathEscape(name)+"/series",
		url.Values{"from": {from}, "to": {to}}, nil, http.StatusOK, decodeInto[Series])
	if err != nil {
		return Series{}, err
	}
	return r.(Series), nil
}
