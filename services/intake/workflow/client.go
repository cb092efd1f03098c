package workflow

import (
	"context"
	"net/http"

	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/transport"
)

// Client is the workflow Service over HTTP.
type Client struct{ call transport.Call }

var _ Service = (*Client)(nil)

// NewClient returns the workflow's calls made through call.
func NewClient(call transport.Call) *Client { return &Client{call: call} }

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

// ChangeRoute implements Service.
func (c *Client) ChangeRoute(ctx context.Context, id string, in RouteChange) (casefile.Workflow, error) {
	return c.workflowCall(ctx, http.MethodPost, in, id, "route")
}

func (c *Client) workflowCall(ctx context.Context, method string, body any, id, what string) (casefile.Workflow, error) {
	if err := transport.CheckIDs(id); err != nil {
		return casefile.Workflow{}, err
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
	if err := transport.CheckIDs(id); err != nil {
		return casefile.Entry{}, err
	}
	var out casefile.Entry
	if err := c.call(ctx, http.MethodPost, http.StatusCreated, nil, in, &out, "cases", id, "entries"); err != nil {
		return casefile.Entry{}, err
	}
	return out, nil
}

// Entries implements Service.
func (c *Client) Entries(ctx context.Context, id string) ([]casefile.Entry, error) {
	if err := transport.CheckIDs(id); err != nil {
		return nil, err
	}
	var out entriesResponse
	if err := c.call(ctx, http.MethodGet, http.StatusOK, nil, nil, &out, "cases", id, "entries"); err != nil {
		return nil, err
	}
	return out.Entries, nil
}
