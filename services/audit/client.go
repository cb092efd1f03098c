package audit

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Client is the auditors' Service over HTTP (kit.Client). It forwards the
// caller's token, so the server authorises the original user.
type Client struct{ api *kit.Client }

var _ Service = (*Client)(nil)

// NewClient returns a client of the audit API at base (scheme://host[:port]).
func NewClient(base string, hc *http.Client) (*Client, error) {
	var h kit.HTTPClient
	if hc != nil {
		h = hc
	}
	api, err := kit.NewClient("audit", base, h, auth.TokenToHTTP)
	if err != nil {
		return nil, err
	}
	return &Client{api: api}, nil
}

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.api.Call(ctx, http.MethodGet, path, q, nil, out)
}

func queryValues(q Query) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{
		"object_type": q.ObjectType, "object_id": q.ObjectID, "actor": q.Actor,
		"org": q.Org, "action": q.Action, "outcome": q.Outcome,
	} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.UTC().Format(time.RFC3339Nano))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.UTC().Format(time.RFC3339Nano))
	}
	if q.After != nil {
		v.Set("after", strconv.FormatInt(*q.After, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// Events implements Service.
func (c *Client) Events(ctx context.Context, q Query) (p EventPage, err error) {
	err = c.get(ctx, "/api/v1/audit/events", queryValues(q), &p)
	return p, err
}

// Alerts implements Service.
func (c *Client) Alerts(ctx context.Context, q Query) (p EventPage, err error) {
	err = c.get(ctx, "/api/v1/audit/alerts", queryValues(q), &p)
	return p, err
}

// Proof implements Service.
func (c *Client) Proof(ctx context.Context, id string, size int64) (p InclusionProof, err error) {
	v := url.Values{}
	if size > 0 {
		v.Set("size", strconv.FormatInt(size, 10))
	}
	err = c.get(ctx, "/api/v1/audit/events/"+url.PathEscape(id)+"/proof", v, &p)
	return p, err
}

// Consistency implements Service.
func (c *Client) Consistency(ctx context.Context, from, to int64) (p ConsistencyProof, err error) {
	v := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	err = c.get(ctx, "/api/v1/audit/consistency", v, &p)
	return p, err
}

// LatestCheckpoint implements Service.
func (c *Client) LatestCheckpoint(ctx context.Context) (b []byte, err error) {
	err = c.get(ctx, "/api/v1/audit/checkpoints/latest", nil, &b)
	return b, err
}

var _ Public = (*Client)(nil)

// PublicKey implements Public.
func (c *Client) PublicKey(ctx context.Context) (string, error) {
	var b []byte
	err := c.get(ctx, PublicPrefix+"key", nil, &b)
	return strings.TrimSpace(string(b)), err
}

// PublicCheckpoint implements Public.
func (c *Client) PublicCheckpoint(ctx context.Context) (b []byte, err error) {
	err = c.get(ctx, PublicPrefix+"checkpoint", nil, &b)
	return b, err
}

// LeafProof implements Public.
func (c *Client) LeafProof(ctx context.Context, index, size int64) (p LeafProof, err error) {
	v := url.Values{}
	if size > 0 {
		v.Set("size", strconv.FormatInt(size, 10))
	}
	err = c.get(ctx, PublicPrefix+"proofs/"+strconv.FormatInt(index, 10), v, &p)
	return p, err
}

// PublicConsistency implements Public.
func (c *Client) PublicConsistency(ctx context.Context, from, to int64) (p ConsistencyProof, err error) {
	v := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	err = c.get(ctx, PublicPrefix+"consistency", v, &p)
	return p, err
}
