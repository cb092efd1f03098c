package cases

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/nrm-project/nrm/services/intake/transport"
)

// client is Service over HTTP, through the intake client's call.
type client struct{ call transport.Call }

// NewClient returns a Service that calls the intake API through call.
func NewClient(call transport.Call) Service { return client{call: call} }

func (c client) caseCall(ctx context.Context, method string, ok int, body any, caseID string, more ...string) (Case, error) {
	if err := transport.CheckIDs(caseID); err != nil {
		return Case{}, err
	}
	var out Case
	if err := c.call(ctx, method, ok, nil, body, &out, append([]string{"cases", caseID}, more...)...); err != nil {
		return Case{}, err
	}
	return out, nil
}

// Register implements Service.
func (c client) Register(ctx context.Context, r Registration) (Case, error) {
	var out Case
	if err := c.call(ctx, http.MethodPost, http.StatusCreated, nil, r, &out, "cases"); err != nil {
		return Case{}, err
	}
	return out, nil
}

// UpdateDraft implements Service.
func (c client) UpdateDraft(ctx context.Context, id string, r Registration) (Case, error) {
	return c.caseCall(ctx, http.MethodPut, http.StatusOK, r, id)
}

// Finalize implements Service.
func (c client) Finalize(ctx context.Context, id string) (Case, error) {
	return c.caseCall(ctx, http.MethodPost, http.StatusOK, nil, id, "finalize")
}

// Get implements Service.
func (c client) Get(ctx context.Context, id string) (Case, error) {
	return c.caseCall(ctx, http.MethodGet, http.StatusOK, nil, id)
}

// CaseView implements Service.
func (c client) CaseView(ctx context.Context, id string, parts CaseParts) (CaseView, error) {
	if err := transport.CheckIDs(id); err != nil {
		return CaseView{}, err
	}
	q := url.Values{}
	if parts.Workflow {
		q.Set("workflow", "true")
	}
	if parts.Entries {
		q.Set("entries", "true")
	}
	var out CaseView
	if err := c.call(ctx, http.MethodGet, http.StatusOK, q, nil, &out, "cases", id, "view"); err != nil {
		return CaseView{}, err
	}
	return out, nil
}

// List implements Service.
func (c client) List(ctx context.Context, q ListQuery) (CasePage, error) {
	var out CasePage
	if err := c.call(ctx, http.MethodGet, http.StatusOK, listValues(q, true), nil, &out, "cases"); err != nil {
		return CasePage{}, err
	}
	return out, nil
}

// RecordConsent implements Service.
func (c client) RecordConsent(ctx context.Context, caseID string, in ConsentInput) (Case, error) {
	return c.caseCall(ctx, http.MethodPost, http.StatusCreated, in, caseID, "consents")
}

// Submit implements Service.
func (c client) Submit(ctx context.Context, caseID string) (Case, error) {
	return c.caseCall(ctx, http.MethodPost, http.StatusOK, nil, caseID, "submit")
}

// Transfer implements Service.
func (c client) Transfer(ctx context.Context, caseID, toOrg string) (Case, error) {
	return c.caseCall(ctx, http.MethodPost, http.StatusOK, transferRequest{OrgID: toOrg}, caseID, "transfer")
}

// LinkNotification implements Service.
func (c client) LinkNotification(ctx context.Context, caseID, notificationID string) error {
	if err := transport.CheckIDs(caseID); err != nil {
		return err
	}
	return c.call(ctx, http.MethodPost, http.StatusNoContent, nil, linkRequest{NotificationID: notificationID}, nil, "cases", caseID, "link")
}

// Duplicates implements Service.
func (c client) Duplicates(ctx context.Context, q ListQuery) (DuplicatePage, error) {
	var out DuplicatePage
	if err := c.call(ctx, http.MethodGet, http.StatusOK, listValues(q, false), nil, &out, "duplicates"); err != nil {
		return DuplicatePage{}, err
	}
	return out, nil
}

// ConfirmDuplicate implements Service.
func (c client) ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (Duplicate, error) {
	if err := transport.CheckIDs(duplicateID); err != nil {
		return Duplicate{}, err
	}
	var out Duplicate
	body := confirmDuplicateRequest{SamePerson: &samePerson}
	if err := c.call(ctx, http.MethodPost, http.StatusOK, nil, body, &out, "duplicates", duplicateID, "confirm"); err != nil {
		return Duplicate{}, err
	}
	return out, nil
}

func listValues(q ListQuery, withStatus bool) url.Values {
	v := url.Values{}
	if withStatus && q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.After != "" {
		v.Set("after", q.After)
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}
