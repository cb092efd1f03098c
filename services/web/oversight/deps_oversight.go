package oversight

import (
	"context"

	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// AuditLog is what the auditors' pages need of the audit service;
// audit.Service (and its HTTP client) satisfies it.
type AuditLog interface {
	Events(ctx context.Context, q audit.Query) (audit.EventPage, error)
	Alerts(ctx context.Context, q audit.Query) (audit.EventPage, error)
	Proof(ctx context.Context, id string, size int64) (audit.InclusionProof, error)
	LatestCheckpoint(ctx context.Context) ([]byte, error)
	Consistency(ctx context.Context, from, to int64) (audit.ConsistencyProof, error)
}

// EmergencyAccess is what the auditors' review of break-the-glass
// openings needs of intake; intake.Service satisfies it.
type EmergencyAccess interface {
	BreakGlassList(ctx context.Context) ([]intake.BreakGlass, error)
	ReviewBreakGlass(ctx context.Context, id string, in intake.ReviewInput) (intake.BreakGlass, error)
}

// Accounts is what the administrators' pages need of identity;
// identity.Service satisfies it.
type Accounts interface {
	CreateOrg(ctx context.Context, o identity.NewOrg) (identity.Org, error)
	ListOrgs(ctx context.Context) ([]identity.Org, error)
	CreateUser(ctx context.Context, u identity.NewUser) (identity.User, string, error)
	ListUsers(ctx context.Context, orgID string) ([]identity.User, error)
	DisableUser(ctx context.Context, id string) error
	EnableUser(ctx context.Context, id string) error
	ResetSecondFactor(ctx context.Context, id string) error
	IssueEnrolmentTicket(ctx context.Context, id string) (identity.EnrolmentTicket, error)
}

// KeyRings is what the administrators' keys page needs of intake;
// intake.Service satisfies it.
type KeyRings interface {
	KeyStatus(ctx context.Context) ([]intake.KeyStatus, error)
}

// Desk is what the national referral desk (desk.go) needs of referral;
// referral.Service satisfies it.
type Desk interface {
	GetReferral(ctx context.Context, id string) (referral.Referral, error)
	Board(ctx context.Context) (referral.Board, error)
	Candidates(ctx context.Context, id string) ([]referral.Candidate, error)
	Place(ctx context.Context, id string, in referral.PlaceInput) (referral.Referral, error)
	ListProviders(ctx context.Context, service, region string) ([]referral.Provider, error)
}

// Directory is what the administrators' provider page needs of referral;
// referral.Service satisfies it.
type Directory interface {
	GetProvider(ctx context.Context, orgID string) (referral.Provider, error)
	RotateWebhookSecret(ctx context.Context, orgID string) (referral.WebhookSecretInfo, error)
}

var (
	_ AuditLog        = audit.Service(nil)
	_ EmergencyAccess = intake.Service(nil)
	_ Accounts        = identity.Service(nil)
	_ Directory       = referral.Service(nil)
	_ Desk            = referral.Service(nil)
	_ KeyRings        = intake.Service(nil)
)
