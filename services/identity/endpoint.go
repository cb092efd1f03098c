package identity

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/authz"
)

// Endpoints collects the identity endpoints.
type Endpoints struct {
	Login           endpoint.Endpoint
	Refresh         endpoint.Endpoint
	Logout          endpoint.Endpoint
	Me              endpoint.Endpoint
	CreateOrg       endpoint.Endpoint
	ListOrgs        endpoint.Endpoint
	CreateUser      endpoint.Endpoint
	ListUsers       endpoint.Endpoint
	DisableUser     endpoint.Endpoint
	PublicKeys      endpoint.Endpoint
	RevokedSessions endpoint.Endpoint
	accountEndpoints
}

// Casbin objects of the identity endpoints (policies/policy.csv).
const (
	ObjectOrgs  = "identity.orgs"
	ObjectUsers = "identity.users"
)

// MakeServerEndpoints wires s: login, refresh, enrolment, password reset
// with a token, the public keys and the revocation feed need no token; me,
// logout and the caller's own account (password, TOTP, sessions) need one;
// the
// administration endpoints also go through the enforcer, which records
// denials with denials.
func MakeServerEndpoints(s Service, authn endpoint.Middleware, enf *authz.Enforcer, denials authz.DenialRecorder) Endpoints {
	guard := func(object, action string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(object, action, denials)(e))
	}
	return Endpoints{
		Login:            makeLoginEndpoint(s),
		Refresh:          makeRefreshEndpoint(s),
		Logout:           authn(makeLogoutEndpoint(s)),
		Me:               authn(makeMeEndpoint(s)),
		CreateOrg:        guard(ObjectOrgs, "create", makeCreateOrgEndpoint(s)),
		ListOrgs:         guard(ObjectOrgs, "list", makeListOrgsEndpoint(s)),
		CreateUser:       guard(ObjectUsers, "create", makeCreateUserEndpoint(s)),
		ListUsers:        guard(ObjectUsers, "list", makeListUsersEndpoint(s)),
		DisableUser:      guard(ObjectUsers, "disable", makeDisableUserEndpoint(s)),
		PublicKeys:       makePublicKeysEndpoint(s),
		RevokedSessions:  makeRevokedSessionsEndpoint(s),
		accountEndpoints: makeAccountEndpoints(s, authn, guard),
	}
}

type loginRequest = LoginRequest

type tokensResponse struct {
	Tokens
	Err error `json:"-"`
}

func (r tokensResponse) Failed() error { return r.Err }

func makeLoginEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		t, err := s.Login(ctx, request.(loginRequest))
		return tokensResponse{Tokens: t, Err: err}, nil
	}
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func makeRefreshEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		t, err := s.Refresh(ctx, request.(refreshRequest).RefreshToken)
		return tokensResponse{Tokens: t, Err: err}, nil
	}
}

type emptyResponse struct {
	Err error `json:"-"`
}

func (r emptyResponse) Failed() error { return r.Err }

func makeLogoutEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		return emptyResponse{Err: s.Logout(ctx)}, nil
	}
}

type meResponse struct {
	Me
	Err error `json:"-"`
}

func (r meResponse) Failed() error { return r.Err }

func makeMeEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		m, err := s.Me(ctx)
		return meResponse{Me: m, Err: err}, nil
	}
}

type orgResponse struct {
	Org
	Err error `json:"-"`
}

func (r orgResponse) Failed() error { return r.Err }

func makeCreateOrgEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		o, err := s.CreateOrg(ctx, request.(NewOrg))
		return orgResponse{Org: o, Err: err}, nil
	}
}

type orgsResponse struct {
	Orgs []Org `json:"orgs"`
	Err  error `json:"-"`
}

func (r orgsResponse) Failed() error { return r.Err }

func makeListOrgsEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		o, err := s.ListOrgs(ctx)
		return orgsResponse{Orgs: o, Err: err}, nil
	}
}

type createUserResponse struct {
	User
	OTPAuthURI string `json:"otpauth_uri"`
	Err        error  `json:"-"`
}

func (r createUserResponse) Failed() error { return r.Err }

func makeCreateUserEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		u, uri, err := s.CreateUser(ctx, request.(NewUser))
		return createUserResponse{User: u, OTPAuthURI: uri, Err: err}, nil
	}
}

type listUsersRequest struct {
	OrgID string
}

type usersResponse struct {
	Users []User `json:"users"`
	Err   error  `json:"-"`
}

func (r usersResponse) Failed() error { return r.Err }

func makeListUsersEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		u, err := s.ListUsers(ctx, request.(listUsersRequest).OrgID)
		return usersResponse{Users: u, Err: err}, nil
	}
}

type disableUserRequest struct {
	ID string
}

func makeDisableUserEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		return emptyResponse{Err: s.DisableUser(ctx, request.(disableUserRequest).ID)}, nil
	}
}

type keysResponse struct {
	Keys []PublicKey `json:"keys"`
	Err  error       `json:"-"`
}

func (r keysResponse) Failed() error { return r.Err }

func makePublicKeysEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, _ any) (any, error) {
		k, err := s.PublicKeys(ctx)
		return keysResponse{Keys: k, Err: err}, nil
	}
}

type revocationsRequest struct {
	Since int64
}

type revocationsResponse struct {
	Sessions []string `json:"sessions"`
	Next     int64    `json:"next"`
	Err      error    `json:"-"`
}

func (r revocationsResponse) Failed() error { return r.Err }

func makeRevokedSessionsEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		ids, next, err := s.RevokedSessions(ctx, request.(revocationsRequest).Since)
		return revocationsResponse{Sessions: ids, Next: next, Err: err}, nil
	}
}

var (
	_ endpoint.Failer = tokensResponse{}
	_ endpoint.Failer = emptyResponse{}
	_ endpoint.Failer = meResponse{}
	_ endpoint.Failer = orgResponse{}
	_ endpoint.Failer = orgsResponse{}
	_ endpoint.Failer = createUserResponse{}
	_ endpoint.Failer = usersResponse{}
	_ endpoint.Failer = keysResponse{}
	_ endpoint.Failer = revocationsResponse{}
)
