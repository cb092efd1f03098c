package frontline

import (
	"context"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// Cases is what the pages need of intake; intake.Service satisfies it.
type Cases interface {
	Register(ctx context.Context, r intake.Registration) (intake.Case, error)
	UpdateDraft(ctx context.Context, id string, r intake.Registration) (intake.Case, error)
	Finalize(ctx context.Context, id string) (intake.Case, error)
	Get(ctx context.Context, id string) (intake.Case, error)
	CaseView(ctx context.Context, id string, parts intake.CaseParts) (intake.CaseView, error)
	List(ctx context.Context, q intake.ListQuery) (intake.CasePage, error)
	Transition(ctx context.Context, caseID string, t intake.TransitionRequest) (intake.Workflow, error)
	Workflow(ctx context.Context, caseID string) (intake.Workflow, error)
	DecisionQueue(ctx context.Context) ([]intake.QueueItem, error)
	AddEntry(ctx context.Context, caseID string, in intake.EntryInput) (intake.Entry, error)
	Entries(ctx context.Context, caseID string) ([]intake.Entry, error)
}

// Referrals is what the pages need of referral; referral.Service satisfies it.
type Referrals interface {
	CreateReferral(ctx context.Context, r referral.NewReferral) (referral.Referral, error)
	GetReferral(ctx context.Context, id string) (referral.Referral, error)
	Accept(ctx context.Context, id string) (referral.Referral, error)
	Decline(ctx context.Context, id string, d referral.DeclineInput) (referral.Referral, error)
	Arrive(ctx context.Context, id string) (referral.Referral, error)
	Complete(ctx context.Context, id string) (referral.Referral, error)
	Leave(ctx context.Context, id string) (referral.Referral, error)
	Inbox(ctx context.Context) ([]referral.Referral, error)
	Sent(ctx context.Context) ([]referral.Referral, error)
	Route(ctx context.Context, q referral.RouteQuery) ([]referral.Candidate, error)
	GetProvider(ctx context.Context, orgID string) (referral.Provider, error)
	SetCapacity(ctx context.Context, orgID, service string, places int) (referral.Provider, error)
}

var (
	_ Cases     = intake.Service(nil)
	_ Referrals = referral.Service(nil)
)
