package identity

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

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// client is the identity Service over HTTP. Errors come back as the
// *kit.Error the server answered, so callers cannot tell it from the
// in-process service.
type client struct {
	login, refresh, logout, me, createOrg, listOrgs endpoint.Endpoint
	createUser, listUsers, disableUser, keys        endpoint.Endpoint
	revocations                                     endpoint.Endpoint

	beginEnrolment, changePassword, startTOTP, confirmTOTP endpoint.Endpoint
	listSessions, endSession, resetSecondFactor            endpoint.Endpoint
	enableUser, issuePasswordReset, resetPassword          endpoint.Endpoint
	issueEnrolmentTicket                                   endpoint.Endpoint
}

// NewClient returns a Service calling the identity API at instance (the
// public API) and internal (the service-to-service API; instance when
// empty). hc defaults to http.DefaultClient; use one with mutual TLS for
// internal calls.
func NewClient(instance, internal string, hc httptransport.HTTPClient) (Service, error) {
	base, err := parseBase(instance)
	if err != nil {
		return nil, err
	}
	ibase := base
	if internal != "" {
		if ibase, err = parseBase(internal); err != nil {
			return nil, err
		}
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	opts := []httptransport.ClientOption{
		httptransport.SetClient(hc),
		httptransport.ClientBefore(auth.TokenToHTTP, kit.RequestIDToHTTP),
	}
	mk := func(method string, b *url.URL, path string, ok int, out func() any) endpoint.Endpoint {
		u := b.JoinPath(path)
		return httptransport.NewClient(method, u, encodeClientRequest, decodeClientResponse(ok, out), opts...).Endpoint()
	}
	return &client{
		login:       mk(http.MethodPost, base, "/api/v1/auth/login", http.StatusOK, func() any { return &Tokens{} }),
		refresh:     mk(http.MethodPost, base, "/api/v1/auth/refresh", http.StatusOK, func() any { return &Tokens{} }),
		logout:      mk(http.MethodPost, base, "/api/v1/auth/logout", http.StatusNoContent, nil),
		me:          mk(http.MethodGet, base, "/api/v1/me", http.StatusOK, func() any { return &Me{} }),
		createOrg:   mk(http.MethodPost, base, "/api/v1/orgs", http.StatusCreated, func() any { return &Org{} }),
		listOrgs:    mk(http.MethodGet, base, "/api/v1/orgs", http.StatusOK, func() any { return &orgsResponse{} }),
		createUser:  mk(http.MethodPost, base, "/api/v1/users", http.StatusCreated, func() any { return &createUserResponse{} }),
		listUsers:   mk(http.MethodGet, base, "/api/v1/users", http.StatusOK, func() any { return &usersResponse{} }),
		disableUser: mk(http.MethodPost, base, "/api/v1/users/{id}/disable", http.StatusNoContent, nil),
		keys:        mk(http.MethodGet, base, "/api/v1/auth/keys", http.StatusOK, func() any { return &keysResponse{} }),
		revocations: mk(http.MethodGet, ibase, "/internal/v1/identity/revocations", http.StatusOK, func() any { return &revocationsResponse{} }),

		beginEnrolment:     mk(http.MethodPost, base, "/api/v1/auth/enrolment", http.StatusOK, func() any { return &Enrolment{} }),
		changePassword:     mk(http.MethodPost, base, "/api/v1/me/password", http.StatusNoContent, nil),
		startTOTP:          mk(http.MethodPost, base, "/api/v1/me/totp", http.StatusOK, func() any { return &Enrolment{} }),
		confirmTOTP:        mk(http.MethodPost, base, "/api/v1/me/totp/confirm", http.StatusNoContent, nil),
		listSessions:       mk(http.MethodGet, base, "/api/v1/me/sessions", http.StatusOK, func() any { return &sessionsResponse{} }),
		endSession:         mk(http.MethodDelete, base, "/api/v1/me/sessions/{id}", http.StatusNoContent, nil),
		resetSecondFactor:  mk(http.MethodPost, base, "/api/v1/users/{id}/totp/reset", http.StatusNoContent, nil),
		enableUser:         mk(http.MethodPost, base, "/api/v1/users/{id}/enable", http.StatusNoContent, nil),
		issuePasswordReset: mk(http.MethodPost, base, "/api/v1/users/{id}/password-reset", http.StatusOK, func() any { return &PasswordReset{} }),
		resetPassword:      mk(http.MethodPost, base, "/api/v1/auth/password-reset", http.StatusNoContent, nil),
		issueEnrolmentTicket: mk(http.MethodPost, base, "/api/v1/users/{id}/enrolment-ticket", http.StatusOK,
			func() any { return &EnrolmentTicket{} }),
	}, nil
}

func parseBase(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("identity: bad instance address")
	}
	return u, nil
}

// clientRequest is what the client endpoints take: an optional JSON body,
// a path parameter and query values.
type clientRequest struct {
	body  any
	id    string
	query url.Values
}

func encodeClientRequest(_ context.Context, r *http.Request, request any) error {
	req := request.(clientRequest)
	if req.id != "" {
		r.URL.Path = strings.Replace(r.URL.Path, "%7Bid%7D", url.PathEscape(req.id), 1)
		r.URL.Path = strings.Replace(r.URL.Path, "{id}", url.PathEscape(req.id), 1)
		r.URL.RawPath = ""
	}
	if req.query != nil {
		r.URL.RawQuery = req.query.Encode()
	}
	if req.body == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(req.body); err != nil {
		return fmt.Errorf("identity: encode request: %w", err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Body = io.NopCloser(&buf)
	r.ContentLength = int64(buf.Len())
	return nil
}

func decodeClientResponse(ok int, out func() any) httptransport.DecodeResponseFunc {
	return func(_ context.Context, resp *http.Response) (any, error) {
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		if err != nil {
			return nil, fmt.Errorf("identity: read response: %w", err)
		}
		if resp.StatusCode != ok {
			return nil, kit.DecodeErrorBody(resp.StatusCode, body)
		}
		if out == nil {
			return nil, nil
		}
		v := out()
		if err := json.Unmarshal(body, v); err != nil {
			return nil, fmt.Errorf("identity: decode response: %w", err)
		}
		return v, nil
	}
}

func (c *client) CreateOrg(ctx context.Context, o NewOrg) (Org, error) {
	r, err := c.createOrg(ctx, clientRequest{body: o})
	if err != nil {
		return Org{}, err
	}
	return *r.(*Org), nil
}

func (c *client) ListOrgs(ctx context.Context) ([]Org, error) {
	r, err := c.listOrgs(ctx, clientRequest{})
	if err != nil {
		return nil, err
	}
	return r.(*orgsResponse).Orgs, nil
}

func (c *client) CreateUser(ctx context.Context, u NewUser) (User, string, error) {
	r, err := c.createUser(ctx, clientRequest{body: u})
	if err != nil {
		return User{}, "", err
	}
	cu := r.(*createUserResponse)
	return cu.User, cu.OTPAuthURI, nil
}

func (c *client) ListUsers(ctx context.Context, orgID string) ([]User, error) {
	q := url.Values{}
	if orgID != "" {
		q.Set("org_id", orgID)
	}
	r, err := c.listUsers(ctx, clientRequest{query: q})
	if err != nil {
		return nil, err
	}
	return r.(*usersResponse).Users, nil
}

func (c *client) DisableUser(ctx context.Context, id string) error {
	if id == "" {
		return ErrNotFound
	}
	_, err := c.disableUser(ctx, clientRequest{id: id})
	return err
}

func (c *client) Login(ctx context.Context, l LoginRequest) (Tokens, error) {
	r, err := c.login(ctx, clientRequest{body: l})
	if err != nil {
		return Tokens{}, err
	}
	return *r.(*Tokens), nil
}

func (c *client) Refresh(ctx context.Context, token string) (Tokens, error) {
	r, err := c.refresh(ctx, clientRequest{body: refreshRequest{RefreshToken: token}})
	if err != nil {
		return Tokens{}, err
	}
	return *r.(*Tokens), nil
}

func (c *client) Logout(ctx context.Context) error {
	_, err := c.logout(ctx, clientRequest{})
	return err
}

func (c *client) Me(ctx context.Context) (Me, error) {
	r, err := c.me(ctx, clientRequest{})
	if err != nil {
		return Me{}, err
	}
	return *r.(*Me), nil
}

func (c *client) PublicKeys(ctx context.Context) ([]PublicKey, error) {
	r, err := c.keys(ctx, clientRequest{})
	if err != nil {
		return nil, err
	}
	return r.(*keysResponse).Keys, nil
}

func (c *client) RevokedSessions(ctx context.Context, since int64) ([]string, int64, error) {
	r, err := c.revocations(ctx, clientRequest{query: url.Values{"since": {strconv.FormatInt(since, 10)}}})
	if err != nil {
		return nil, 0, err
	}
	rr := r.(*revocationsResponse)
	return rr.Sessions, rr.Next, nil
}

func (c *client) BeginEnrolment(ctx context.Context, r EnrolmentRequest) (Enrolment, error) {
	resp, err := c.beginEnrolment(ctx, clientRequest{body: r})
	if err != nil {
		return Enrolment{}, err
	}
	return *resp.(*Enrolment), nil
}

func (c *client) ChangePassword(ctx context.Context, r PasswordChange) error {
	_, err := c.changePassword(ctx, clientRequest{body: r})
	return err
}

func (c *client) StartTOTPReenrolment(ctx context.Context, code string) (Enrolment, error) {
	resp, err := c.startTOTP(ctx, clientRequest{body: otpRequest{OTP: code}})
	if err != nil {
		return Enrolment{}, err
	}
	return *resp.(*Enrolment), nil
}

func (c *client) ConfirmTOTP(ctx context.Context, code string) error {
	_, err := c.confirmTOTP(ctx, clientRequest{body: otpRequest{OTP: code}})
	return err
}

func (c *client) ListSessions(ctx context.Context) ([]Session, error) {
	resp, err := c.listSessions(ctx, clientRequest{})
	if err != nil {
		return nil, err
	}
	return resp.(*sessionsResponse).Sessions, nil
}

// byID calls e for the account or session id, which must not be empty.
func byID(ctx context.Context, e endpoint.Endpoint, id string) error {
	if id == "" {
		return ErrNotFound
	}
	_, err := e(ctx, clientRequest{id: id})
	return err
}

func (c *client) EndSession(ctx context.Context, id string) error { return byID(ctx, c.endSession, id) }

func (c *client) ResetSecondFactor(ctx context.Context, id string) error {
	return byID(ctx, c.resetSecondFactor, id)
}

func (c *client) EnableUser(ctx context.Context, id string) error { return byID(ctx, c.enableUser, id) }

func (c *client) IssuePasswordReset(ctx context.Context, id string) (PasswordReset, error) {
	if id == "" {
		return PasswordReset{}, ErrNotFound
	}
	resp, err := c.issuePasswordReset(ctx, clientRequest{id: id})
	if err != nil {
		return PasswordReset{}, err
	}
	return *resp.(*PasswordReset), nil
}

func (c *client) ResetPassword(ctx context.Context, r PasswordResetRequest) error {
	_, err := c.resetPassword(ctx, clientRequest{body: r})
	return err
}

func (c *client) IssueEnrolmentTicket(ctx context.Context, id string) (EnrolmentTicket, error) {
	if id == "" {
		return EnrolmentTicket{}, ErrNotFound
	}
	resp, err := c.issueEnrolmentTicket(ctx, clientRequest{id: id})
	if err != nil {
		return EnrolmentTicket{}, err
	}
	return *resp.(*EnrolmentTicket), nil
}
