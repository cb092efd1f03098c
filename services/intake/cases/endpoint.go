package cases

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/nrm-project/nrm/services/intake/transport"
)

// Casbin objects of the cases endpoints (policies/policy.csv).
const (
	ObjectCases      = "intake.cases"
	ObjectConsents   = "intake.consents"
	ObjectDuplicates = "intake.duplicates"
)

// Endpoints are the endpoints of Service.
type Endpoints struct {
	Register         endpoint.Endpoint
	List             endpoint.Endpoint
	Get              endpoint.Endpoint
	CaseView         endpoint.Endpoint
	UpdateDraft      endpoint.Endpoint
	Finalize         endpoint.Endpoint
	RecordConsent    endpoint.Endpoint
	Submit           endpoint.Endpoint
	Transfer         endpoint.Endpoint
	LinkNotification endpoint.Endpoint
	Duplicates       endpoint.Endpoint
	ConfirmDuplicate endpoint.Endpoint
}

// MakeEndpoints wires s. guard puts each endpoint behind the token and the
// role the enforcer allows for its object and action; allowedParts keeps
// the parts of a case view the caller's roles may read on their own (the
// tracks as GET …/workflow, the record as GET …/entries): a part the
// policy refuses is left out, not refused, as a page that made the
// separate calls would have shown the rest.
func MakeEndpoints(s Service, guard transport.Guard, allowedParts func(ctx context.Context, parts CaseParts) CaseParts) Endpoints {
	return Endpoints{
		Register: guard(ObjectCases, "create", func(ctx context.Context, request any) (any, error) {
			c, err := s.Register(ctx, request.(registrationRequest).Registration)
			return caseResponse{Case: c, Err: err}, nil
		}),
		List: guard(ObjectCases, "list", func(ctx context.Context, request any) (any, error) {
			p, err := s.List(ctx, request.(listRequest).Query)
			if p.Cases == nil {
				p.Cases = []Case{}
			}
			return casePageResponse{CasePage: p, Err: err}, nil
		}),
		Get: guard(ObjectCases, "read", func(ctx context.Context, request any) (any, error) {
			c, err := s.Get(ctx, request.(caseRequest).CaseID)
			return caseResponse{Case: c, Err: err}, nil
		}),
		CaseView: guard(ObjectCases, "read", func(ctx context.Context, request any) (any, error) {
			req := request.(caseViewRequest)
			v, err := s.CaseView(ctx, req.CaseID, allowedParts(ctx, req.Parts))
			return caseViewResponse{CaseView: v, Err: err}, nil
		}),
		UpdateDraft: guard(ObjectCases, "update", func(ctx context.Context, request any) (any, error) {
			req := request.(registrationRequest)
			c, err := s.UpdateDraft(ctx, req.CaseID, req.Registration)
			return caseResponse{Case: c, Err: err}, nil
		}),
		Finalize: guard(ObjectCases, "finalize", func(ctx context.Context, request any) (any, error) {
			c, err := s.Finalize(ctx, request.(caseRequest).CaseID)
			return caseResponse{Case: c, Err: err}, nil
		}),
		RecordConsent: guard(ObjectConsents, "create", func(ctx context.Context, request any) (any, error) {
			req := request.(consentRequest)
			c, err := s.RecordConsent(ctx, req.CaseID, req.Consent)
			return caseResponse{Case: c, Err: err}, nil
		}),
		Submit: guard(ObjectCases, "submit", func(ctx context.Context, request any) (any, error) {
			c, err := s.Submit(ctx, request.(caseRequest).CaseID)
			return caseResponse{Case: c, Err: err}, nil
		}),
		Transfer: guard(ObjectCases, "transfer", func(ctx context.Context, request any) (any, error) {
			req := request.(transferRequest)
			c, err := s.Transfer(ctx, req.CaseID, req.OrgID)
			return caseResponse{Case: c, Err: err}, nil
		}),
		LinkNotification: guard(ObjectCases, "link", func(ctx context.Context, request any) (any, error) {
			req := request.(linkRequest)
			return noContentResponse{Err: s.LinkNotification(ctx, req.CaseID, req.NotificationID)}, nil
		}),
		Duplicates: guard(ObjectDuplicates, "list", func(ctx context.Context, request any) (any, error) {
			p, err := s.Duplicates(ctx, request.(listRequest).Query)
			if p.Duplicates == nil {
				p.Duplicates = []Duplicate{}
			}
			return duplicatePageResponse{DuplicatePage: p, Err: err}, nil
		}),
		ConfirmDuplicate: guard(ObjectDuplicates, "confirm", func(ctx context.Context, request any) (any, error) {
			req := request.(confirmDuplicateRequest)
			d, err := s.ConfirmDuplicate(ctx, req.DuplicateID, *req.SamePerson)
			return duplicateResponse{Duplicate: d, Err: err}, nil
		}),
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

// caseViewRequest names a case and the parts asked for.
type caseViewRequest struct {
	CaseID string
	Parts  CaseParts
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

type caseViewResponse struct {
	CaseView
	Err error `json:"-"`
}

func (r caseViewResponse) Failed() error { return r.Err }

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

var (
	_ endpoint.Failer = caseResponse{}
	_ endpoint.Failer = casePageResponse{}
	_ endpoint.Failer = caseViewResponse{}
	_ endpoint.Failer = duplicatePageResponse{}
	_ endpoint.Failer = duplicateResponse{}
	_ endpoint.Failer = noContentResponse{}
)
