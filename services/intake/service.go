package intake

import (
	"context"
)

// Service registers presumed victims and guards what is known about them.
// Every method takes the caller from the context (auth.Principal); which
// instances the caller may touch is decided here, what a role may do at all
// by the shared enforcer in front of the endpoints.
type Service interface {
	// Register creates a case (or a draft when r.Draft), sealing its
	// sections to the registering organisation.
	Register(ctx context.Context, r Registration) (Case, error)
	// UpdateDraft replaces a draft's content (owner organisation only).
	UpdateDraft(ctx context.Context, id string, r Registration) (Case, error)
	// Finalize turns a draft into a registered case (full validation and
	// the duplicate check run here).
	Finalize(ctx context.Context, id string) (Case, error)
	// Get returns the case with the sections the caller's organisation may
	// read, after its read is durably audited. Anything else is ErrNotFound.
	Get(ctx context.Context, id string) (Case, error)
	// CaseView reads the case with its tracks and record (as parts asks)
	// in one snapshot, under one audit event naming what was read: each
	// part exactly what Get, Workflow and Entries answer the caller.
	CaseView(ctx context.Context, id string, parts CaseParts) (CaseView, error)
	// List returns the caller organisation's cases (attributes only, no
	// section content), newest first, and for a provider's caseworker its
	// caseload (service, support state and next step per case).
	List(ctx context.Context, q ListQuery) (CasePage, error)
	// RecordConsent adds a consent record (a new record supersedes the
	// previous one for the same purpose; nothing is overwritten).
	RecordConsent(ctx context.Context, caseID string, c ConsentInput) (Case, error)
	// Submit submits an nrm-route case to the competent authority: its
	// organisations are granted the sections a decision needs.
	Submit(ctx context.Context, caseID string) (Case, error)
	// ChangeRoute moves an assistance case onto the NRM route once the
	// person's consent to be submitted is recorded (owner only); the
	// history records when and on which consent.
	ChangeRoute(ctx context.Context, caseID string, in RouteChange) (Workflow, error)
	// Transfer moves ownership to another organisation (re-wrapped), e.g.
	// from the police to the NGO that leads support.
	Transfer(ctx context.Context, caseID, toOrg string) (Case, error)
	// LinkNotification links an anonymous notification to a case of the
	// same person who came back.
	LinkNotification(ctx context.Context, caseID, notificationID string) error

	// Grants: GrantPending is made by the owner's officer when referring
	// (one per candidate); ActivateGrant on acceptance; RevokeGrant on
	// decline, expiry, withdrawal or consent withdrawal.
	GrantPending(ctx context.Context, g GrantRequest) (Grant, error)
	ActivateGrant(ctx context.Context, caseID, grantID string) (Grant, error)
	RevokeGrant(ctx context.Context, caseID, grantID string) error
	ListGrants(ctx context.Context, caseID string) ([]Grant, error)
	// EndGrant records that the grant's service ended (referral completed,
	// person left): it is revoked after the policy's follow-up window.
	EndGrant(ctx context.Context, caseID, grantID string) (Grant, error)

	// Duplicates lists possible duplicate registrations (coordinators and
	// decision makers only; never the registering officer).
	Duplicates(ctx context.Context, q ListQuery) (DuplicatePage, error)
	// ConfirmDuplicate records, once, whether a possible duplicate is the
	// same person (coordinators and decision makers only). A confirmed one
	// links the two cases in statistics; neither case is opened.
	ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (Duplicate, error)

	// Workflows: the decision and support tracks, the case record and the
	// children's rules (workflow.go).
	Workflows

	// KeyStatus is the organisations' key rings as their administrators
	// follow rotations (an org admin its own, a system admin every one).
	KeyStatus(ctx context.Context) ([]KeyStatus, error)

	// Oversight: break-the-glass, disclosures, legal holds, the access
	// report and the certificate (oversight.go).
	Oversight
}
