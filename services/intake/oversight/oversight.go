package oversight

import (
	"context"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

// The records oversight keeps are the domain's (casefile/oversight.go).
type (
	BreakGlass     = casefile.BreakGlass
	Disclosure     = casefile.Disclosure
	DecisionRecord = casefile.DecisionRecord
)

// BreakGlassOpen is an emergency access not yet expired.
const BreakGlassOpen = casefile.BreakGlassOpen

// Service is the part of intake's API that answers to the person and to the
// auditors: emergency access, disclosures outside the system, legal holds,
// the person's access report and the certificate of a positive decision.
type Service interface {
	// BreakGlass opens a time-limited emergency read of the case for the
	// caller's organisation (decision makers and coordinators), with a
	// stated reason, sealed. Auditors are alerted and review it.
	BreakGlass(ctx context.Context, caseID string, in BreakGlassInput) (BreakGlass, error)
	// BreakGlassList lists emergency accesses, newest first (auditors).
	BreakGlassList(ctx context.Context) ([]BreakGlass, error)
	// ReviewBreakGlass records an auditor's review of one access.
	ReviewBreakGlass(ctx context.Context, id string, in ReviewInput) (BreakGlass, error)
	// Disclose records a disclosure of the case outside the system with
	// its legal basis (the owner's officers, the deciding authority).
	Disclose(ctx context.Context, caseID string, in DisclosureInput) (Disclosure, error)
	// Disclosures lists the recorded disclosures, newest first (auditors).
	Disclosures(ctx context.Context) ([]Disclosure, error)
	// PlaceLegalHold and ReleaseLegalHold stop and resume the purge of a
	// case (decision makers of the deciding authority, auditors).
	PlaceLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error)
	ReleaseLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error)
	// AccessReport lists every access to the case, denial and disclosure,
	// labelled in lang (en, fr, ar), for the person's right of access
	// (auditors, and the owner organisation's officers who hand it over).
	AccessReport(ctx context.Context, caseID, lang string) (AccessReport, error)
	// Certificate renders the certificate of a positive conclusive
	// decision in the person's language (owner, deciding authority,
	// guardian).
	Certificate(ctx context.Context, caseID string) (Certificate, error)
}

// BreakGlassInput is the body of POST /api/v1/cases/{id}/break-glass.
// Reason is free text, sealed into the case record.
type BreakGlassInput struct {
	Reason string `json:"reason"`
}

// ReviewInput is the body of POST /api/v1/break-glass/{id}/review: a code
// (for example justified, unjustified, referred).
type ReviewInput struct {
	Code string `json:"code"`
}

// DisclosureInput is the body of POST /api/v1/cases/{id}/disclosures:
// codes from the workflow policy's lists and the sections disclosed.
type DisclosureInput struct {
	RecipientKind string   `json:"recipient_kind"`
	LegalBasis    string   `json:"legal_basis"`
	Sections      []string `json:"sections"`
}

// LegalHoldInput is the body of POST /api/v1/cases/{id}/legal-hold and
// /legal-hold/release.
type LegalHoldInput struct {
	ReasonCode string `json:"reason_code"`
}

// LegalHold is a case's hold state after a change.
type LegalHold struct {
	CaseID     string    `json:"case_id"`
	LegalHold  bool      `json:"legal_hold"`
	ReasonCode string    `json:"reason_code"`
	At         time.Time `json:"at"`
}

// AccessRecord is one audited event about a case, as the audit log holds
// it: codes only.
type AccessRecord struct {
	Time      time.Time `json:"time"`
	Action    string    `json:"action"`
	Outcome   string    `json:"outcome"`
	ActorOrg  string    `json:"actor_org,omitempty"`
	ActorRole string    `json:"actor_role,omitempty"`
}

// AccessLog answers which audited events concern a case (the audit
// service, or its client).
type AccessLog interface {
	CaseEvents(ctx context.Context, caseID string) ([]AccessRecord, error)
}

// AccessReportItem is one line of an access report.
type AccessReportItem struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"` // read, denial, change, disclosure
	Label   string    `json:"label"`
	Action  string    `json:"action"`
	Outcome string    `json:"outcome"`
	OrgID   string    `json:"org_id,omitempty"`
	Role    string    `json:"role,omitempty"`
	// LegalBasis and RecipientKind are set on a disclosure.
	LegalBasis    string `json:"legal_basis,omitempty"`
	RecipientKind string `json:"recipient_kind,omitempty"`
}

// AccessReport is what the person is told about the processing of their
// case: every access, denial and disclosure, oldest first.
type AccessReport struct {
	CaseID    string             `json:"case_id"`
	Reference string             `json:"reference"`
	Language  string             `json:"language"`
	Title     string             `json:"title"`
	Items     []AccessReportItem `json:"items"`
}

// Certificate is a rendered certificate of a positive conclusive decision.
type Certificate struct {
	CaseID    string `json:"case_id"`
	Reference string `json:"reference"`
	Language  string `json:"language"`
	MediaType string `json:"media_type"` // text/plain; charset=utf-8
	Text      string `json:"text"`
}
