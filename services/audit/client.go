package audit

import (
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

// Client is the auditors' Service over HTTP. It forwards the caller's
// token, so the server authorises the original user.
type Client struct {
	base *url.URL
	opts []httptransport.ClientOption
}

var _ Service = (*Client)(nil)

// NewClient returns a client of the audit API at base (scheme://host[:port]).
func NewClient(base string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("audit: client: bad base URL")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: u, opts: []httptransport.ClientOption{
		httptransport.SetClient(hc), httptransport.ClientBefore(auth.TokenToHTTP),
	}}, nil
}

func (c *Client) call(ctx context.Context, path string, q url.Values, decode func([]byte) (any, error)) (any, error) {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	enc := func(context.Context, *http.Request, any) error { return nil }
	dec := func(_ context.Context, r *http.Response) (any, error) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("audit: client: %w", err)
		}
		if r.StatusCode != http.StatusOK {
			return nil, kit.DecodeErrorBody(r.StatusCode, body)
		}
		return decode(body)
	}
	return httptransport.NewClient(http.MethodGet, &u, enc, dec, c.opts...).Endpoint()(ctx, nil)
}

func decodeInto[T any](b []byte) (any, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("audit: client: decode: %w", err)
	}
	return v, nil
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
func (c *Client) Events(ctx context.Context, q Query) (EventPage, error) {
	r, err := c.call(ctx, "/api/v1/audit/events", queryValues(q), decodeInto[EventPage])
	if err != nil {
		return EventPage{}, err
	}
	return r.(EventPage), nil
}

// Alerts implements Service.
func (c *Client) Alerts(ctx context.Context, q Query) (EventPage, error) {
	r, err := c.call(ctx, "/api/v1/audit/alerts", queryValues(q), decodeInto[EventPage])
	if err != nil {
		return EventPage{}, err
	}
	return r.(EventPage), nil
}

// Proof implements Service.
func (c *Client) Proof(ctx context.Context, id string, size int64) (InclusionProof, error) {
	v := url.Values{}
	if size > 0 {
		v.Set("size", strconv.FormatInt(size, 10))
	}
	r, err := c.call(ctx, "/api/v1/audit/events/"+url.PathEscape(id)+"/proof", v, decodeInto[InclusionProof])
	if err != nil {
		return InclusionProof{}, err
	}
	return r.(InclusionProof), nil
}

// Consistency implements Service.
func (c *Client) Consistency(ctx context.Context, from, to int64) (ConsistencyProof, error) {
	v := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	r, err := c.call(ctx, "/api/v1/audit/consistency", v, decodeInto[ConsistencyProof])
	if err != nil {
		return ConsistencyProof{}, err
	}
	return r.(ConsistencyProof), nil
}

// LatestCheckpoint implements Service.
func (c *Client) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	r, err := c.call(ctx, "/api/v1/audit/checkpoints/latest", nil, func(b []byte) (any, error) { return b, nil })
	if err != nil {
		return nil, err
	}
	return r.([]byte), nil
}

var _ Public = (*Client)(nil)

// PublicKey implements Public.
func (c *Client) PublicKey(ctx context.Context) (string, error) {
	r, err := c.call(ctx, PublicPrefix+"key", nil, func(b []byte) (any, error) { return strings.TrimSpace(string(b)), nil })
	if err != nil {
		return "", err
	}
	return r.(string), nil
}

// PublicCheckpoint implements Public.
func (c *Client) PublicCheckpoint(ctx context.Context) ([]byte, error) {
	r, err := c.call(ctx, PublicPrefix+"checkpoint", nil, func(b []byte) (any, error) { return b, nil })
	if err != nil {
		return nil, err
	}
	return r.([]byte), nil
}

// LeafProof implements Public.
func (c *Client) LeafProof(ctx context.Context, index, size int64) (LeafProof, error) {
	v := url.Values{}
	if size > 0 {
		v.Set("size", strconv.FormatInt(size, 10))
	}
	r, err := c.call(ctx, PublicPrefix+"proofs/"+strconv.FormatInt(index, 10), v, decodeInto[LeafProof])
	if err != nil {
		return LeafProof{}, err
	}
	return r.(LeafProof), nil
}

// PublicConsistency implements Public.
func (c *Client) PublicConsistency(ctx context.Context, from, to int64) (ConsistencyProof, error) {
	v := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	r, err := c.call(ctx, PublicPrefix+"consistency", v, decodeInto[ConsistencyProof])
	if err != nil {
		return ConsistencyProof{}, err
	}
	return r.(ConsistencyProof), nil
}
