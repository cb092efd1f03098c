package stats

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Client is the stats Service over HTTP (kit.Client). It forwards the
// caller's token, so the server authorises the original user.
type Client struct{ api *kit.Client }

var _ Service = (*Client)(nil)

// NewClient returns a client of the stats API at base (scheme://host[:port]).
func NewClient(base string, hc *http.Client) (*Client, error) {
	var h kit.HTTPClient
	if hc != nil {
		h = hc
	}
	api, err := kit.NewClient("stats", base, h, auth.TokenToHTTP)
	if err != nil {
		return nil, err
	}
	return &Client{api: api}, nil
}

const tablesPath = "/api/v1/stats/tables/"

// Tables implements Service.
func (c *Client) Tables(ctx context.Context) ([]TableInfo, error) {
	var r tablesResponse
	err := c.api.Call(ctx, http.MethodGet, "/api/v1/stats/tables", nil, nil, &r)
	return r.Tables, err
}

// Table implements Service.
func (c *Client) Table(ctx context.Context, name, period string) (Table, error) {
	var t Table
	err := c.api.Call(ctx, http.MethodGet, tablesPath+url.PathEscape(name), url.Values{"period": {period}}, nil, &t)
	return t, err
}

// Report implements Service.
func (c *Client) Report(ctx context.Context, year int) ([]byte, error) {
	var b []byte
	err := c.api.Call(ctx, http.MethodGet, "/api/v1/stats/report/"+strconv.Itoa(year), nil, nil, &b)
	return b, err
}

// AnnualReport implements Service.
func (c *Client) AnnualReport(ctx context.Context, year int) (AnnualReport, error) {
	var r AnnualReport
	err := c.api.Call(ctx, http.MethodGet, "/api/v1/stats/annual-reports/"+strconv.Itoa(year), nil, nil, &r)
	return r, err
}

// CreateRelease implements Service.
func (c *Client) CreateRelease(ctx context.Context, spec ReleaseSpec) (Release, error) {
	var r Release
	err := c.api.Call(ctx, http.MethodPost, "/api/v1/stats/releases", nil, spec, &r)
	return r, err
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
	var t Table
	err := c.api.Call(ctx, http.MethodGet, "/api/v1/stats/releases/"+url.PathEscape(release)+"/tables/"+url.PathEscape(name), q, nil, &t)
	return t, err
}

// Releases implements Service.
func (c *Client) Releases(ctx context.Context, period string) ([]Release, error) {
	q := url.Values{}
	if period != "" {
		q.Set("period", period)
	}
	var r releasesResponse
	err := c.api.Call(ctx, http.MethodGet, "/api/v1/stats/releases", q, nil, &r)
	return r.Releases, err
}

// Ledger implements Service.
func (c *Client) Ledger(ctx context.Context, period string) ([]LedgerEntry, error) {
	var r ledgerResponse
	err := c.api.Call(ctx, http.MethodGet, "/api/v1/stats/ledger", url.Values{"period": {period}}, nil, &r)
	return r.Entries, err
}

// Series implements Service.
func (c *Client) Series(ctx context.Context, name, from, to string) (Series, error) {
	var s Series
	err := c.api.Call(ctx, http.MethodGet, tablesPath+url.PathEscape(name)+"/series", url.Values{"from": {from}, "to": {to}}, nil, &s)
	return s, err
}
