package workflow

import (
	"context"
	"net/http"
	"net/url"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// Call sends one request to intake's API: segments joined onto /api/v1,
// body (when not nil) as JSON, a status other than ok returned as the
// server's *kit.Error, out (when not nil) filled from the answer.
// Intake's client gives it, with its address, HTTP client and headers.
type Call func(ctx context.Context, method string, ok int, query url.Values, body, out any, segments ...string) error

// Client is the workflow Service over HTTP.
type Client struct{ call Call }

var _ Service = (*Client)(nil)

// NewClient returns the workflow's calls made through call.
func NewClient(call Call) *Client { return &Client{call: call} }

// Transition implements Service.
func (c *Client) Transition(ctx context.Context, id string, t casefile.TransitionRequest) (casefile.Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, t, id, "transitions")
}

// SupportTransition implements Service.
func (c *Client) SupportTransition(ctx context.Context, id string, t casefile.TransitionRequest) (casefile.Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, t, id, "support")
}

// Workflow implements Service.
func (c *Client) Workflow(ctx context.Context, id string) (casefile.Workflow, error) {
	return c.workflowCall(ctx, http.MethodGet, nil, id, "workflow")
}

// AppointGuardian implements Service.
func (c *Client) AppointGuardian(ctx context.Context, id string, g casefile.GuardianInput) (casefile.Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, g, id, "guardian")
}

func (c *Client) workflowCall(ctx context.Context, method string, body any, id, what string) (casefile.Workflow, error) {
	if !casefile.ValidID(id) {
		return casefile.Workflow{}, ErrNotFound
	}
	var out casefile.Workflow
	if err := c.call(ctx, method, http.StatusOK, nil, body, &out, "cases", id, what); err != nil {
		return casefile.Workflow{}, err
	}
	return out, nil
}

// DecisionQueue implements Service.
func (c *Client) DecisionQueue(ctx context.Context) ([]casefile.QueueItem, error) {
	var out queueResponse
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "decisions", "queue"); err != nil {
		return nil, err
	}
	return out.Cases, nil
}

// AddEntry implements Service.
func (c *Client) AddEntry(ctx context.Context, id string, in casefile.EntryInput) (casefile.Entry, error) {
	if !casefile.ValidID(id) {
		return casefile.Entry{}, ErrNotFound
	}
	var out casefile.Entry
	if err := c.call(ctx, http.MethodPost, http.StatusCreated, nil, in, &out, "cases", id, "entries"); err != nil {
		return casefile.Entry{}, err
	}
	return out, nil
}

// Entries implements Service.
func (c *Client) Entries(ctx context.Context, id string) ([]casefile.Entry, error) {
	if !casefile.ValidID(id) {
		return nil, ErrNotFound
	}
	var out entriesResponse
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "cases", id, "entries"); err != nil {
		return nil, err
	}
	return out.Entries, nil
}
