package cases

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/transport"
)

// HandleRoutes adds the cases routes through handle, which serves an
// endpoint at a pattern with its decoder and its success status:
//
//	POST /api/v1/cases                                  Registration -> 201 Case
//	GET  /api/v1/cases?status=&after=&limit=            -> CasePage
//	GET  /api/v1/cases/{id}                             -> Case
//	GET  /api/v1/cases/{id}/view?workflow=&entries=     -> CaseView (one audited read)
//	PUT  /api/v1/cases/{id}                             Registration (draft) -> Case
//	POST /api/v1/cases/{id}/finalize                    -> Case
//	POST /api/v1/cases/{id}/consents                    ConsentInput -> 201 Case
//	POST /api/v1/cases/{id}/submit                      -> Case
//	POST /api/v1/cases/{id}/transfer                    {"org_id"} -> Case
//	POST /api/v1/cases/{id}/link                        {"notification_id"} -> 204
//	GET  /api/v1/duplicates?after=&limit=               -> DuplicatePage
//	POST /api/v1/duplicates/{id}/confirm                {"same_person"} -> Duplicate
//
// Ids in the path that are not UUIDs are 404, like ids the caller may not
// see.
func HandleRoutes(e Endpoints, handle transport.Handle) {
	handle("POST /api/v1/cases", e.Register, decodeRegisterRequest, http.StatusCreated)
	handle("GET /api/v1/cases", e.List, decodeListCasesRequest, http.StatusOK)
	handle("GET /api/v1/cases/{id}", e.Get, decodeCaseRequest, http.StatusOK)
	handle("GET /api/v1/cases/{id}/view", e.CaseView, decodeCaseViewRequest, http.StatusOK)
	handle("PUT /api/v1/cases/{id}", e.UpdateDraft, decodeUpdateDraftRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/finalize", e.Finalize, decodeCaseRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/consents", e.RecordConsent, decodeConsentRequest, http.StatusCreated)
	handle("POST /api/v1/cases/{id}/submit", e.Submit, decodeCaseRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/transfer", e.Transfer, decodeTransferRequest, http.StatusOK)
	handle("POST /api/v1/cases/{id}/link", e.LinkNotification, decodeLinkRequest, http.StatusNoContent)
	handle("GET /api/v1/duplicates", e.Duplicates, decodeDuplicatesRequest, http.StatusOK)
	handle("POST /api/v1/duplicates/{id}/confirm", e.ConfirmDuplicate, decodeConfirmDuplicateRequest, http.StatusOK)
}

// MaxListLimit is the largest page a list request may ask for.
const MaxListLimit = 200

// The body decoders take the body through kit.DecodeJSON: one object,
// known fields only (so "owner_org" or "status" cannot be assigned), right
// types, at most kit.MaxBodyBytes.

func decodeRegisterRequest(_ context.Context, r *http.Request) (any, error) {
	var reg Registration
	if err := kit.DecodeJSON(nil, r, &reg); err != nil {
		return nil, err
	}
	return registrationRequest{Registration: reg}, nil
}

func decodeUpdateDraftRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	var reg Registration
	if err := kit.DecodeJSON(nil, r, &reg); err != nil {
		return nil, err
	}
	return registrationRequest{CaseID: id, Registration: reg}, nil
}

func decodeCaseRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.CaseID(r)
	if err != nil {
		return nil, err
	}
	return caseRequest{CaseID: id}, nil
}

func decodeConsentRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	// The pointers tell a purpose named false from one left out: a
	// purpose the body does not name keeps its record.
	var body struct {
		ConsentInput
		Assistance  *bool `json:"assistance"`
		NRMReferral *bool `json:"nrm_referral"`
		DataSharing *bool `json:"data_sharing"`
	}
	if err := kit.DecodeJSON(nil, r, &body); err != nil {
		return nil, err
	}
	c := body.ConsentInput
	for _, f := range []struct {
		v       *bool
		to      *bool
		purpose string
	}{{body.Assistance, &c.Assistance, casefile.PurposeAssistance}, {body.NRMReferral, &c.NRMReferral, casefile.PurposeNRMSubmission},
		{body.DataSharing, &c.DataSharing, casefile.PurposeDataSharing}} {
		if f.v == nil {
			continue
		}
		*f.to = *f.v
		if len(body.ConsentInput.Purposes) == 0 {
			c.Purposes = append(c.Purposes, f.purpose)
		}
	}
	if len(body.ConsentInput.Purposes) == 0 && len(c.Purposes) == len(consentPurposes) {
		c.Purposes = nil // all three named: the full form
	}
	if len(c.Purposes) == 0 && (body.Assistance == nil || body.NRMReferral == nil || body.DataSharing == nil) {
		return nil, kit.ValidationFields(kit.FieldError{Code: kit.FieldRequired,
			Message: "name at least one purpose: assistance, nrm_referral or data_sharing"})
	}
	return consentRequest{CaseID: id, Consent: c}, nil
}

func decodeTransferRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	var req transferRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	if err := transport.BodyID("org_id", req.OrgID); err != nil {
		return nil, err
	}
	req.CaseID = id
	return req, nil
}

func decodeLinkRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	var req linkRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	if err := transport.BodyID("notification_id", req.NotificationID); err != nil {
		return nil, err
	}
	req.CaseID = id
	return req, nil
}

// decodeCaseViewRequest reads the parts asked for: workflow and entries,
// each "true" or "false" at most once; any other parameter is refused.
func decodeCaseViewRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := transport.NoBody(r); err != nil {
		return nil, err
	}
	req := caseViewRequest{CaseID: id}
	for k, vs := range r.URL.Query() {
		var part *bool
		switch k {
		case "workflow":
			part = &req.Parts.Workflow
		case "entries":
			part = &req.Parts.Entries
		default:
			return nil, kit.Validation("unknown query parameter " + k)
		}
		if len(vs) != 1 || (vs[0] != "true" && vs[0] != "false") {
			return nil, kit.Validation(k + " must be true or false, once")
		}
		*part = vs[0] == "true"
	}
	return req, nil
}

func decodeListCasesRequest(_ context.Context, r *http.Request) (any, error) {
	q, err := parseListQuery(r, true)
	if err != nil {
		return nil, err
	}
	return listRequest{Query: q}, nil
}

func decodeDuplicatesRequest(_ context.Context, r *http.Request) (any, error) {
	q, err := parseListQuery(r, false)
	if err != nil {
		return nil, err
	}
	return listRequest{Query: q}, nil
}

func decodeConfirmDuplicateRequest(_ context.Context, r *http.Request) (any, error) {
	id, err := transport.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	var req confirmDuplicateRequest
	if err := kit.DecodeJSON(nil, r, &req); err != nil {
		return nil, err
	}
	if req.SamePerson == nil {
		return nil, kit.Validation("same_person must be true or false")
	}
	req.DuplicateID = id
	return req, nil
}

// listStatuses are the statuses a case list may be filtered by.
var listStatuses = []string{StatusDraft, StatusRegistered, StatusSubmitted}

// cursorPattern bounds an opaque paging cursor: URL-safe characters only,
// so nothing odd reaches the store or a log line.
var cursorPattern = regexp.MustCompile(`^[A-Za-z0-9._~:+/=-]{1,256}$`)

// parseListQuery reads status (when withStatus), after and limit, each at
// most once; any other parameter is refused rather than ignored.
func parseListQuery(r *http.Request, withStatus bool) (ListQuery, error) {
	var q ListQuery
	for name, vals := range r.URL.Query() {
		if len(vals) != 1 {
			return ListQuery{}, kit.Validation("query parameters may be given once each")
		}
		v := vals[0]
		switch {
		case name == "status" && withStatus:
			if !slices.Contains(listStatuses, v) {
				return ListQuery{}, kit.Validation("status must be one of: " + strings.Join(listStatuses, ", "))
			}
			q.Status = v
		case name == "after":
			if !cursorPattern.MatchString(v) {
				return ListQuery{}, kit.Validation("after must be a cursor returned as next")
			}
			q.After = v
		case name == "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxListLimit {
				return ListQuery{}, kit.Validation("limit must be an integer from 1 to " + strconv.Itoa(MaxListLimit))
			}
			q.Limit = n
		default:
			allowed := "after, limit"
			if withStatus {
				allowed = "status, after, limit"
			}
			return ListQuery{}, kit.Validation("unknown query parameter; allowed: " + allowed)
		}
	}
	return q, nil
}
