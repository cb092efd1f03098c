package referral

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/authz"
)

// Casbin objects of the referral endpoints (policies/policy.csv).
const (
	ObjectReferrals = "referral.referrals"
	ObjectProviders = "referral.providers"
)

// Endpoints collects the referral endpoints.
type Endpoints struct {
	Create, Get, Accept, Decline, Arrive, Complete, Leave, Withdraw endpoint.Endpoint
	Inbox, Sent, Board, Route, Notifications, Package, Approve      endpoint.Endpoint
	GetProvider, PutProvider, SetCapacity, ListProviders            endpoint.Endpoint
	ExportHSDS, ImportHSDS, RotateWebhookSecret                     endpoint.Endpoint
	Candidates, Place                                               endpoint.Endpoint
}

// MakeServerEndpoints wires s: every endpoint needs a token (authn) and
// passes the enforcer, which records denials with denials; the service
// then decides which instances the caller may touch.
func MakeServerEndpoints(s Service, authn endpoint.Middleware, enf *authz.Enforcer, denials authz.DenialRecorder) Endpoints {
	g := func(object, action string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(object, action, denials)(e))
	}
	r, p := ObjectReferrals, ObjectProviders
	return Endpoints{
		Create: g(r, "create", func(ctx context.Context, req any) (any, error) {
			v, err := s.CreateReferral(ctx, req.(NewReferral))
			return referralResponse{v, err}, nil
		}),
		Get:    g(r, "read", idEndpoint(s.GetReferral)),
		Accept: g(r, "accept", idEndpoint(s.Accept)),
		Decline: g(r, "decline", func(ctx context.Context, req any) (any, error) {
			q := req.(declineRequest)
			v, err := s.Decline(ctx, q.ID, DeclineInput{Reason: q.Reason, Note: q.Note})
			return referralResponse{v, err}, nil
		}),
		Arrive:   g(r, "arrived", idEndpoint(s.Arrive)),
		Complete: g(r, "complete", idEndpoint(s.Complete)),
		Leave:    g(r, "left", idEndpoint(s.Leave)),
		Withdraw: g(r, "withdraw", func(ctx context.Context, req any) (any, error) {
			q := req.(withdrawRequest)
			v, err := s.Withdraw(ctx, q.ID, WithdrawInput{Reason: q.Reason, Note: q.Note})
			return referralResponse{v, err}, nil
		}),
		Inbox: g(r, "list", func(ctx context.Context, _ any) (any, error) {
			v, err := s.Inbox(ctx)
			return referralsResponse{v, err}, nil
		}),
		Sent: g(r, "list", func(ctx context.Context, _ any) (any, error) {
			v, err := s.Sent(ctx)
			return referralsResponse{v, err}, nil
		}),
		Board: g(r, "board", func(ctx context.Context, _ any) (any, error) {
			v, err := s.Board(ctx)
			return boardResponse{v, err}, nil
		}),
		Route: g(r, "route", func(ctx context.Context, req any) (any, error) {
			v, err := s.Route(ctx, req.(RouteQuery))
			return candidatesResponse{v, err}, nil
		}),
		Notifications: g(r, "list", func(ctx context.Context, req any) (any, error) {
			v, err := s.Notifications(ctx, req.(notificationsRequest).After)
			return notificationsResponse{v, err}, nil
		}),
		Package: g(r, "package", func(ctx context.Context, req any) (any, error) {
			v, err := s.Package(ctx, req.(idRequest).ID)
			return packageResponse{v, err}, nil
		}),
		Approve: g(r, "approve", idEndpoint(s.Approve)),
		Candidates: g(r, "route", func(ctx context.Context, req any) (any, error) {
			v, err := s.Candidates(ctx, req.(idRequest).ID)
			return candidatesResponse{v, err}, nil
		}),
		Place: g(r, "place", func(ctx context.Context, req any) (any, error) {
			q := req.(placeRequest)
			v, err := s.Place(ctx, q.ID, PlaceInput{OrgID: q.OrgID})
			return referralResponse{v, err}, nil
		}),
		GetProvider: g(p, "read", func(ctx context.Context, req any) (any, error) {
			v, err := s.GetProvider(ctx, req.(idRequest).ID)
			return providerResponse{v, err}, nil
		}),
		PutProvider: g(p, "manage", func(ctx context.Context, req any) (any, error) {
			q := req.(putProviderRequest)
			v, err := s.PutProvider(ctx, q.OrgID, q.Input)
			return providerResponse{v, err}, nil
		}),
		SetCapacity: g(p, "capacity", func(ctx context.Context, req any) (any, error) {
			q := req.(capacityRequest)
			v, err := s.SetCapacity(ctx, q.OrgID, q.Service, q.Places)
			return providerResponse{v, err}, nil
		}),
		ListProviders: g(p, "read", func(ctx context.Context, req any) (any, error) {
			q := req.(listProvidersRequest)
			v, err := s.ListProviders(ctx, q.Service, q.Region)
			return providersResponse{v, err}, nil
		}),
		ExportHSDS: g(p, "export", func(ctx context.Context, _ any) (any, error) {
			v, err := s.ExportHSDS(ctx)
			return hsdsResponse{v, err}, nil
		}),
		RotateWebhookSecret: g(p, "manage", func(ctx context.Context, req any) (any, error) {
			v, err := s.RotateWebhookSecret(ctx, req.(idRequest).ID)
			return secretResponse{v, err}, nil
		}),
		ImportHSDS: g(p, "import", func(ctx context.Context, req any) (any, error) {
			n, err := s.ImportHSDS(ctx, req.(HSDSDocument))
			return importResponse{n, err}, nil
		}),
	}
}

func idEndpoint(f func(context.Context, string) (Referral, error)) endpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		v, err := f(ctx, req.(idRequest).ID)
		return referralResponse{v, err}, nil
	}
}

type idRequest struct{ ID string }

type declineRequest struct {
	ID     string `json:"-"`
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"`
}

type placeRequest struct {
	ID    string `json:"-"`
	OrgID string `json:"org_id"`
}

type withdrawRequest struct {
	ID     string `json:"-"`
	Reason string `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
}

type notificationsRequest struct{ After int64 }

type putProviderRequest struct {
	OrgID string
	Input ProviderInput
}

type capacityRequest struct {
	OrgID   string `json:"-"`
	Service string `json:"service"`
	Places  int    `json:"places"`
}

type listProvidersRequest struct{ Service, Region string }

type referralResponse struct {
	Referral
	Err error `json:"-"`
}

func (r referralResponse) Failed() error { return r.Err }

type referralsResponse struct {
	Referrals []Referral `json:"referrals"`
	Err       error      `json:"-"`
}

func (r referralsResponse) Failed() error { return r.Err }

type boardResponse struct {
	Board
	Err error `json:"-"`
}

func (r boardResponse) Failed() error { return r.Err }

type candidatesResponse struct {
	Candidates []Candidate `json:"candidates"`
	Err        error       `json:"-"`
}

func (r candidatesResponse) Failed() error { return r.Err }

type notificationsResponse struct {
	Notifications []Notification `json:"notifications"`
	Err           error          `json:"-"`
}

func (r notificationsResponse) Failed() error { return r.Err }

type providerResponse struct {
	Provider
	Err error `json:"-"`
}

func (r providerResponse) Failed() error { return r.Err }

type providersResponse struct {
	Providers []Provider `json:"providers"`
	Err       error      `json:"-"`
}

func (r providersResponse) Failed() error { return r.Err }

type hsdsResponse struct {
	HSDSDocument
	Err error `json:"-"`
}

func (r hsdsResponse) Failed() error { return r.Err }

type packageResponse struct {
	DisclosurePackage
	Err error `json:"-"`
}

func (r packageResponse) Failed() error { return r.Err }

type secretResponse struct {
	WebhookSecretInfo
	Err error `json:"-"`
}

func (r secretResponse) Failed() error { return r.Err }

type importResponse struct {
	Imported int   `json:"imported"`
	Err      error `json:"-"`
}

func (r importResponse) Failed() error { return r.Err }

var (
	_ endpoint.Failer = referralResponse{}
	_ endpoint.Failer = referralsResponse{}
	_ endpoint.Failer = boardResponse{}
	_ endpoint.Failer = candidatesResponse{}
	_ endpoint.Failer = notificationsResponse{}
	_ endpoint.Failer = providerResponse{}
	_ endpoint.Failer = providersResponse{}
	_ endpoint.Failer = hsdsResponse{}
	_ endpoint.Failer = importResponse{}
	_ endpoint.Failer = packageResponse{}
	_ endpoint.Failer = secretResponse{}
)
