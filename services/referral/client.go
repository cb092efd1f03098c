package referral

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/external"
)

// client is the referral Service over HTTP (kit.Client); errors come
// back as the *kit.Error the server answered.
type client struct {
	api  *kit.Client
	base *url.URL // for the package download, which is no JSON call
	hc   httptransport.HTTPClient
}

// NewClient returns a Service calling the referral API at instance. hc
// defaults to http.DefaultClient.
func NewClient(instance string, hc httptransport.HTTPClient) (Service, error) {
	if !strings.Contains(instance, "://") {
		instance = "http://" + instance
	}
	u, err := url.Parse(instance)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("referral: bad instance address")
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	api, err := kit.NewClient("referral", instance, hc, auth.TokenToHTTP, idempotency.KeyToHTTP)
	if err != nil {
		return nil, err
	}
	return &client{api: api, base: u, hc: hc}, nil
}

func (c *client) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	return c.api.Call(ctx, method, path, query, body, out)
}

const refPath, provPath = "/api/v1/referrals", "/api/v1/providers"

func (c *client) referral(ctx context.Context, method, path string, body any) (Referral, error) {
	var r Referral
	err := c.call(ctx, method, path, nil, body, &r)
	return r, err
}

func (c *client) CreateReferral(ctx context.Context, r NewReferral) (Referral, error) {
	return c.referral(ctx, http.MethodPost, refPath, r)
}

func (c *client) GetReferral(ctx context.Context, id string) (Referral, error) {
	return c.referral(ctx, http.MethodGet, refPath+"/"+url.PathEscape(id), nil)
}

func (c *client) act(ctx context.Context, id, action string, body any) (Referral, error) {
	if body == nil {
		body = struct{}{}
	}
	return c.referral(ctx, http.MethodPost, refPath+"/"+url.PathEscape(id)+"/"+action, body)
}

func (c *client) Accept(ctx context.Context, id string) (Referral, error) {
	return c.act(ctx, id, "accept", nil)
}

func (c *client) Decline(ctx context.Context, id string, in DeclineInput) (Referral, error) {
	return c.act(ctx, id, "decline", declineRequest{Reason: in.Reason, Note: in.Note})
}

func (c *client) Arrive(ctx context.Context, id string) (Referral, error) {
	return c.act(ctx, id, "arrived", nil)
}

func (c *client) Complete(ctx context.Context, id string) (Referral, error) {
	return c.act(ctx, id, "complete", nil)
}

func (c *client) Leave(ctx context.Context, id string) (Referral, error) {
	return c.act(ctx, id, "left", nil)
}

func (c *client) RotateWebhookSecret(ctx context.Context, orgID string) (WebhookSecretInfo, error) {
	var out WebhookSecretInfo
	err := c.call(ctx, http.MethodPost, provPath+"/"+url.PathEscape(orgID)+"/webhook-secret", nil, struct{}{}, &out)
	return out, err
}

func (c *client) Approve(ctx context.Context, id string) (Referral, error) {
	return c.act(ctx, id, "approve", nil)
}

func (c *client) Withdraw(ctx context.Context, id string, in WithdrawInput) (Referral, error) {
	if in == (WithdrawInput{}) {
		return c.act(ctx, id, "withdraw", nil)
	}
	return c.act(ctx, id, "withdraw", withdrawRequest{Reason: in.Reason, Note: in.Note})
}

func (c *client) list(ctx context.Context, path string) ([]Referral, error) {
	var r referralsResponse
	err := c.call(ctx, http.MethodGet, path, nil, nil, &r)
	return r.Referrals, err
}

func (c *client) Inbox(ctx context.Context) ([]Referral, error) { return c.list(ctx, refPath+"/inbox") }

func (c *client) Sent(ctx context.Context) ([]Referral, error) { return c.list(ctx, refPath+"/sent") }

func (c *client) Board(ctx context.Context) (Board, error) {
	var b Board
	err := c.call(ctx, http.MethodGet, refPath+"/board", nil, nil, &b)
	return b, err
}

func (c *client) Candidates(ctx context.Context, id string) ([]Candidate, error) {
	var r candidatesResponse
	err := c.call(ctx, http.MethodGet, refPath+"/"+url.PathEscape(id)+"/candidates", nil, nil, &r)
	return r.Candidates, err
}

func (c *client) Place(ctx context.Context, id string, in PlaceInput) (Referral, error) {
	return c.act(ctx, id, "place", placeRequest{OrgID: in.OrgID})
}

func (c *client) Route(ctx context.Context, q RouteQuery) ([]Candidate, error) {
	var r candidatesResponse
	v := url.Values{"case_id": {q.CaseID}, "service": {q.Service}, "urgency": {q.Urgency}}
	err := c.call(ctx, http.MethodGet, refPath+"/route", v, nil, &r)
	return r.Candidates, err
}

func (c *client) Notifications(ctx context.Context, after int64) ([]Notification, error) {
	var r notificationsResponse
	err := c.call(ctx, http.MethodGet, refPath+"/notifications", url.Values{"after": {strconv.FormatInt(after, 10)}}, nil, &r)
	return r.Notifications, err
}

// Package downloads the armored package; its id comes from the file name.
func (c *client) Package(ctx context.Context, id string) (DisclosurePackage, error) {
	u := c.base.JoinPath(refPath, url.PathEscape(id), "package")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return DisclosurePackage{}, fmt.Errorf("referral: client: %w", err)
	}
	auth.TokenToHTTP(ctx, req)
	kit.RequestIDToHTTP(ctx, req)
	resp, err := c.hc.Do(req)
	if err != nil {
		return DisclosurePackage{}, fmt.Errorf("referral: client: %w", err)
	}
	defer resp.Body.Close()
	return external.Read(resp, id)
}

func (c *client) GetProvider(ctx context.Context, orgID string) (Provider, error) {
	var p Provider
	err := c.call(ctx, http.MethodGet, provPath+"/"+url.PathEscape(orgID), nil, nil, &p)
	return p, err
}

func (c *client) PutProvider(ctx context.Context, orgID string, in ProviderInput) (Provider, error) {
	var p Provider
	err := c.call(ctx, http.MethodPut, provPath+"/"+url.PathEscape(orgID), nil, in, &p)
	return p, err
}

func (c *client) SetCapacity(ctx context.Context, orgID, service string, places int) (Provider, error) {
	var p Provider
	err := c.call(ctx, http.MethodPut, provPath+"/"+url.PathEscape(orgID)+"/capacity", nil,
		capacityRequest{Service: service, Places: places}, &p)
	return p, err
}

func (c *client) ListProviders(ctx context.Context, service, region string) ([]Provider, error) {
	var r providersResponse
	q := url.Values{}
	if service != "" {
		q.Set("service", service)
	}
	if region != "" {
		q.Set("region", region)
	}
	err := c.call(ctx, http.MethodGet, provPath, q, nil, &r)
	return r.Providers, err
}

func (c *client) ExportHSDS(ctx context.Context) (HSDSDocument, error) {
	var d HSDSDocument
	err := c.call(ctx, http.MethodGet, provPath+"/export", nil, nil, &d)
	return d, err
}

func (c *client) ImportHSDS(ctx context.Context, d HSDSDocument) (int, error) {
	var r importResponse
	err := c.call(ctx, http.MethodPost, provPath+"/import", nil, d, &r)
	return r.Imported, err
}
