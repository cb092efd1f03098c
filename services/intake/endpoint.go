package intake

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
)

// Endpoints collects the intake endpoints.
type Endpoints struct {
	Register         endpoint.Endpoint
	List             endpoint.Endpoint
	Get              endpoint.Endpoint
	CaseView         endpoint.Endpoint
	KeyStatus        endpoint.Endpoint
	UpdateDraft      endpoint.Endpoint
	Finalize         endpoint.Endpoint
	RecordConsent    endpoint.Endpoint
	Submit           endpoint.Endpoint
	Transfer         endpoint.Endpoint
	LinkNotification endpoint.Endpoint
	ListGrants       endpoint.Endpoint
	GrantPending     endpoint.Endpoint
	ActivateGrant    endpoint.Endpoint
	EndGrant         endpoint.Endpoint
	RevokeGrant      endpoint.Endpoint
	Duplicates       endpoint.Endpoint
	ConfirmDuplicate endpoint.Endpoint
	Workflow         WorkflowEndpoints
}

// Casbin objects of the intake endpoints (policies/policy.csv).
const (
	ObjectCases      = "intake.cases"
	ObjectConsents   = "intake.consents"
	ObjectGrants     = "intake.grants"
	ObjectDuplicates = "intake.duplicates"
	ObjectKeys       = "intake.keys"
)

// MakeServerEndpoints wires s. Every endpoint needs a valid token (authn)
// and a role the enforcer allows for its object and action; denials are
// recorded with denials. Which cases the caller may touch is decided by s.
func MakeServerEndpoints(s Service, authn endpoint.Middleware, enf *authz.Enforcer, denials authz.DenialRecorder) Endpoints {
	guard := func(object, action string, e endpoint.Endpoint) endpoint.Endpoint {
		return authn(enf.Middleware(object, action, denials)(e))
	}
	return Endpoints{
		Register: guard(ObjectCases, "create", makeRegisterEndpoint(s)),
		List:     guard(ObjectCases, "list", makeListEndpoint(s)),
		Get:      guard(ObjectCases, "read", makeGetEndpoint(s)),
		CaseView: guard(ObjectCases, "read", makeCaseViewEndpoint(s, enf)),
		KeyStatus: guard(ObjectKeys, "read", func(ctx context.Context, _ any) (any, error) {
			k, err := s.KeyStatus(ctx)
			return keyStatusResponse{Keys: k, Err: err}, nil
		}),
		UpdateDraft:      guard(ObjectCases, "update", makeUpdateDraftEndpoint(s)),
		Finalize:         guard(ObjectCases, "finalize", makeFinalizeEndpoint(s)),
		RecordConsent:    guard(ObjectConsents, "create", makeRecordConsentEndpoint(s)),
		Submit:           guard(ObjectCases, "submit", makeSubmitEndpoint(s)),
		Transfer:         guard(ObjectCases, "transfer", makeTransferEndpoint(s)),
		LinkNotification: guard(ObjectCases, "link", makeLinkNotificationEndpoint(s)),
		ListGrants:       guard(ObjectGrants, "list", makeListGrantsEndpoint(s)),
		GrantPending:     guard(ObjectGrants, "create", makeGrantPendingEndpoint(s)),
		ActivateGrant:    guard(ObjectGrants, "activate", makeActivateGrantEndpoint(s)),
		EndGrant:         guard(ObjectGrants, "end", makeEndGrantEndpoint(s)),
		RevokeGrant:      guard(ObjectGrants, "revoke", makeRevokeGrantEndpoint(s)),
		Duplicates:       guard(ObjectDuplicates, "list", makeDuplicatesEndpoint(s)),
		ConfirmDuplicate: guard(ObjectDuplicates, "confirm", makeConfirmDuplicateEndpoint(s)),
		Workflow:         makeWorkflowEndpoints(s, guard),
	}
}

// caseRequest names a case by its id (taken from the path).
type caseRequest struct {
	CaseID string
}

// registrationRequest carries a registration, and for a draft update the
// case it replaces.
type registrationRequest struct {
	CaseID       string
	Registration Registration
}

type listRequest struct {
	Query ListQuery
}

type consentRequest struct {
	CaseID  string
	Consent ConsentInput
}

// transferRequest is also the body of POST /api/v1/cases/{id}/transfer.
type transferRequest struct {
	CaseID string `json:"-"`
	OrgID  string `json:"org_id"`
}

// linkRequest is also the body of POST /api/v1/cases/{id}/link.
type linkRequest struct {
	CaseID         string `json:"-"`
	NotificationID string `json:"notification_id"`
}

// confirmDuplicateRequest is also the body of POST
// /api/v1/duplicates/{id}/confirm. SamePerson is a pointer so that an
// omitted answer is refused rather than taken as false.
type confirmDuplicateRequest struct {
	DuplicateID string `json:"-"`
	SamePerson  *bool  `json:"same_person"`
}

type grantRequest struct {
	Grant GrantRequest
}

// grantIDRequest names one grant of one case.
type grantIDRequest struct {
	CaseID  string
	GrantID string
}

type caseResponse struct {
	Case
	Err error `json:"-"`
}

func (r caseResponse) Failed() error { return r.Err }

type casePageResponse struct {
	CasePage
	Err error `json:"-"`
}

func (r casePageResponse) Failed() error { return r.Err }

type grantResponse struct {
	Grant
	Err error `json:"-"`
}

func (r grantResponse) Failed() error { return r.Err }

type grantsResponse struct {
	Grants []Grant `json:"grants"`
	Err    error   `json:"-"`
}

func (r grantsResponse) Failed() error { return r.Err }

type duplicatePageResponse struct {
	DuplicatePage
	Err error `json:"-"`
}

func (r duplicatePageResponse) Failed() error { return r.Err }

type duplicateResponse struct {
	Duplicate
	Err error `json:"-"`
}

func (r duplicateResponse) Failed() error { return r.Err }

// noContentResponse answers with 204 unless it carries an error.
type noContentResponse struct {
	Err error `json:"-"`
}

func (r noContentResponse) Failed() error { return r.Err }

func makeRegisterEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		c, err := s.Register(ctx, request.(registrationRequest).Registration)
		return caseResponse{Case: c, Err: err}, nil
	}
}

func makeListEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		p, err := s.List(ctx, request.(listRequest).Query)
		if p.Cases == nil {
			p.Cases = []Case{}
		}
		return casePageResponse{CasePage: p, Err: err}, nil
	}
}

func makeGetEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		c, err := s.Get(ctx, request.(caseRequest).CaseID)
		return caseResponse{Case: c, Err: err}, nil
	}
}

type keyStatusResponse struct {
	Keys []KeyStatus `json:"keys"`
	Err  error       `json:"-"`
}

func (r keyStatusResponse) Failed() error { return r.Err }

// caseViewRequest names a case and the parts asked for.
type caseViewRequest struct {
	CaseID string
	Parts  CaseParts
}

type caseViewResponse struct {
	CaseView
	Err error `json:"-"`
}

func (r caseViewResponse) Failed() error { return r.Err }

// makeCaseViewEndpoint answers a part only when the caller's roles may
// read it on its own (the tracks as GET …/workflow, the record as GET
// …/entries): a part the policy refuses is left out, not refused, as a
// page that made the separate calls would have shown the rest.
func makeCaseViewEndpoint(s Service, enf *authz.Enforcer) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(caseViewRequest)
		p, _ := auth.FromContext(ctx)
		parts := CaseParts{
			Workflow: req.Parts.Workflow && enf.Allowed(p, ObjectWorkflow, "read"),
			Entries:  req.Parts.Entries && enf.Allowed(p, ObjectEntries, "list"),
		}
		v, err := s.CaseView(ctx, req.CaseID, parts)
		return caseViewResponse{CaseView: v, Err: err}, nil
	}
}

func makeUpdateDraftEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(registrationRequest)
		c, err := s.UpdateDraft(ctx, req.CaseID, req.Registration)
		return caseResponse{Case: c, Err: err}, nil
	}
}

func makeFinalizeEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		c, err := s.Finalize(ctx, request.(caseRequest).CaseID)
		return caseResponse{Case: c, Err: err}, nil
	}
}

func makeRecordConsentEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(consentRequest)
		c, err := s.RecordConsent(ctx, req.CaseID, req.Consent)
		return caseResponse{Case: c, Err: err}, nil
	}
}

func makeSubmitEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		c, err := s.Submit(ctx, request.(caseRequest).CaseID)
		return caseResponse{Case: c, Err: err}, nil
	}
}

func makeTransferEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(transferRequest)
		c, err := s.Transfer(ctx, req.CaseID, req.OrgID)
		return caseResponse{Case: c, Err: err}, nil
	}
}

func makeLinkNotificationEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(linkRequest)
		return noContentResponse{Err: s.LinkNotification(ctx, req.CaseID, req.NotificationID)}, nil
	}
}

func makeListGrantsEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		g, err := s.ListGrants(ctx, request.(caseRequest).CaseID)
		if g == nil {
			g = []Grant{}
		}
		return grantsResponse{Grants: g, Err: err}, nil
	}
}

func makeGrantPendingEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		g, err := s.GrantPending(ctx, request.(grantRequest).Grant)
		return grantResponse{Grant: g, Err: err}, nil
	}
}

func makeActivateGrantEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(grantIDRequest)
		g, err := s.ActivateGrant(ctx, req.CaseID, req.GrantID)
		return grantResponse{Grant: g, Err: err}, nil
	}
}

func makeEndGrantEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(grantIDRequest)
		g, err := s.EndGrant(ctx, req.CaseID, req.GrantID)
		return grantResponse{Grant: g, Err: err}, nil
	}
}

func makeRevokeGrantEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(grantIDRequest)
		return noContentResponse{Err: s.RevokeGrant(ctx, req.CaseID, req.GrantID)}, nil
	}
}

func makeDuplicatesEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		p, err := s.Duplicates(ctx, request.(listRequest).Query)
		if p.Duplicates == nil {
			p.Duplicates = []Duplicate{}
		}
		return duplicatePageResponse{DuplicatePage: p, Err: err}, nil
	}
}

func makeConfirmDuplicateEndpoint(s Service) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(confirmDuplicateRequest)
		d, err := s.ConfirmDuplicate(ctx, req.DuplicateID, *req.SamePerson)
		return duplicateResponse{Duplicate: d, Err: err}, nil
	}
}

var (
	_ endpoint.Failer = caseResponse{}
	_ endpoint.Failer = caseViewResponse{}
	_ endpoint.Failer = keyStatusResponse{}
	_ endpoint.Failer = casePageResponse{}
	_ endpoint.Failer = grantResponse{}
	_ endpoint.Failer = grantsResponse{}
	_ endpoint.Failer = duplicatePageResponse{}
	_ endpoint.Failer = duplicateResponse{}
	_ endpoint.Failer = noContentResponse{}
)
