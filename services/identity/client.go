package identity

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// client is the identity Service over HTTP (kit.Client). Errors come back
// as the *kit.Error the server answered, so callers cannot tell it from
// the in-process service.
type client struct {
	api      *kit.Client // the public API
	internal *kit.Client // the service-to-service API
}

// NewClient returns a Service calling the identity API at instance (the
// public API) and internal (the service-to-service API; instance when
// empty). hc defaults to http.DefaultClient; use one with mutual TLS for
// internal calls.
func NewClient(instance, internal string, hc httptransport.HTTPClient) (Service, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	if internal == "" {
		internal = instance
	}
	api, err := kit.NewClient("identity", instance, hc, auth.TokenToHTTP)
	if err != nil {
		return nil, err
	}
	in, err := kit.NewClient("identity", internal, hc, auth.TokenToHTTP)
	if err != nil {
		return nil, err
	}
	return &client{api: api, internal: in}, nil
}

func (c *client) post(ctx context.Context, path string, body, out any) error {
	return c.api.Call(ctx, http.MethodPost, path, nil, body, out)
}

func (c *client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.api.Call(ctx, http.MethodGet, path, q, nil, out)
}

// userPath is the path of an action on the account or session id, which
// must not be empty.
func userPath(prefix, id, action string) (string, error) {
	if id == "" {
		return "", ErrNotFound
	}
	return prefix + url.PathEscape(id) + action, nil
}

func (c *client) CreateOrg(ctx context.Context, o NewOrg) (org Org, err error) {
	err = c.post(ctx, "/api/v1/orgs", o, &org)
	return org, err
}

func (c *client) ListOrgs(ctx context.Context) ([]Org, error) {
	var r orgsResponse
	err := c.get(ctx, "/api/v1/orgs", nil, &r)
	return r.Orgs, err
}

func (c *client) CreateUser(ctx context.Context, u NewUser) (User, string, error) {
	var r createUserResponse
	err := c.post(ctx, "/api/v1/users", u, &r)
	return r.User, r.OTPAuthURI, err
}

func (c *client) ListUsers(ctx context.Context, orgID string) ([]User, error) {
	q := url.Values{}
	if orgID != "" {
		q.Set("org_id", orgID)
	}
	var r usersResponse
	err := c.get(ctx, "/api/v1/users", q, &r)
	return r.Users, err
}

func (c *client) DisableUser(ctx context.Context, id string) error {
	p, err := userPath("/api/v1/users/", id, "/disable")
	if err != nil {
		return err
	}
	return c.post(ctx, p, nil, nil)
}

func (c *client) Login(ctx context.Context, l LoginRequest) (t Tokens, err error) {
	err = c.post(ctx, "/api/v1/auth/login", l, &t)
	return t, err
}

func (c *client) Refresh(ctx context.Context, token string) (t Tokens, err error) {
	err = c.post(ctx, "/api/v1/auth/refresh", refreshRequest{RefreshToken: token}, &t)
	return t, err
}

func (c *client) Logout(ctx context.Context) error {
	return c.post(ctx, "/api/v1/auth/logout", nil, nil)
}

func (c *client) Me(ctx context.Context) (me Me, err error) {
	err = c.get(ctx, "/api/v1/me", nil, &me)
	return me, err
}

func (c *client) PublicKeys(ctx context.Context) ([]PublicKey, error) {
	var r keysResponse
	err := c.get(ctx, "/api/v1/auth/keys", nil, &r)
	return r.Keys, err
}

func (c *client) RevokedSessions(ctx context.Context, since int64) ([]string, int64, error) {
	var r revocationsResponse
	err := c.internal.Call(ctx, http.MethodGet, "/internal/v1/identity/revocations",
		url.Values{"since": {strconv.FormatInt(since, 10)}}, nil, &r)
	return r.Sessions, r.Next, err
}

func (c *client) BeginEnrolment(ctx context.Context, r EnrolmentRequest) (e Enrolment, err error) {
	err = c.post(ctx, "/api/v1/auth/enrolment", r, &e)
	return e, err
}

func (c *client) ChangePassword(ctx context.Context, r PasswordChange) error {
	return c.post(ctx, "/api/v1/me/password", r, nil)
}

func (c *client) StartTOTPReenrolment(ctx context.Context, code string) (e Enrolment, err error) {
	err = c.post(ctx, "/api/v1/me/totp", otpRequest{OTP: code}, &e)
	return e, err
}

func (c *client) ConfirmTOTP(ctx context.Context, code string) error {
	return c.post(ctx, "/api/v1/me/totp/confirm", otpRequest{OTP: code}, nil)
}

func (c *client) ListSessions(ctx context.Context) ([]Session, error) {
	var r sessionsResponse
	err := c.get(ctx, "/api/v1/me/sessions", nil, &r)
	return r.Sessions, err
}

func (c *client) EndSession(ctx context.Context, id string) error {
	p, err := userPath("/api/v1/me/sessions/", id, "")
	if err != nil {
		return err
	}
	return c.api.Call(ctx, http.MethodDelete, p, nil, nil, nil)
}

func (c *client) ResetSecondFactor(ctx context.Context, id string) error {
	p, err := userPath("/api/v1/users/", id, "/totp/reset")
	if err != nil {
		return err
	}
	return c.post(ctx, p, nil, nil)
}

func (c *client) EnableUser(ctx context.Context, id string) error {
	p, err := userPath("/api/v1/users/", id, "/enable")
	if err != nil {
		return err
	}
	return c.post(ctx, p, nil, nil)
}

func (c *client) IssuePasswordReset(ctx context.Context, id string) (r PasswordReset, err error) {
	p, err := userPath("/api/v1/users/", id, "/password-reset")
	if err != nil {
		return r, err
	}
	err = c.post(ctx, p, nil, &r)
	return r, err
}

func (c *client) ResetPassword(ctx context.Context, r PasswordResetRequest) error {
	return c.post(ctx, "/api/v1/auth/password-reset", r, nil)
}

func (c *client) IssueEnrolmentTicket(ctx context.Context, id string) (t EnrolmentTicket, err error) {
	p, err := userPath("/api/v1/users/", id, "/enrolment-ticket")
	if err != nil {
		return t, err
	}
	err = c.post(ctx, p, nil, &t)
	return t, err
}
