package casefile

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Case statuses of intake (the decision and support tracks come with the
// workflow).
const (
	StatusDraft      = "draft"
	StatusRegistered = "registered"
	StatusSubmitted  = "submitted"
)

// Section names.
const (
	SectionIdentity  = "identity"
	SectionNarrative = "narrative"
	SectionHealth    = "health"
	SectionLegal     = "legal"
)

// Sections lists the registration sections in order.
var Sections = []string{SectionIdentity, SectionNarrative, SectionHealth, SectionLegal}

// Registration is the body of POST /api/v1/cases. Attribute codes are
// validated against the taxonomies (taxonomy.go); sections are sealed and
// never stored, logged or returned in clear except to a reader.
type Registration struct {
	Route                string   `json:"route"`
	Draft                bool     `json:"draft,omitempty"`
	IdentifiedOn         string   `json:"identified_on"` // YYYY-MM-DD, not in the future
	Region               string   `json:"region"`        // configured list or "abroad"
	Gender               string   `json:"gender"`        // female, male, other, unknown
	AgeGroup             string   `json:"age_group"`     // child, adult, unknown (unknown or disputed: treated as a child)
	BirthYear            int      `json:"birth_year,omitempty"`
	AgeDisputed          bool     `json:"age_disputed,omitempty"`
	Nationalities        []string `json:"nationalities"` // ISO 3166-1 alpha-2, or "stateless", or "unknown"
	ExploitationTypes    []string `json:"exploitation_types"`
	ExploitationLocation string   `json:"exploitation_location"`
	Indicators           []string `json:"indicators,omitempty"` // ILO/EC indicator groups
	Needs                []string `json:"needs"`
	Languages            []string `json:"languages"` // ISO 639-1
	Dependants           int      `json:"dependants,omitempty"`
	RiskLevel            string   `json:"risk_level,omitempty"` // low, medium, high, critical
	// Unaccompanied: an unaccompanied or separated child (only for a
	// person treated as a child).
	Unaccompanied bool `json:"unaccompanied,omitempty"`
	// ProtectionStatus is the international-protection status as a code
	// (refugee, asylum_seeker, none, unknown); documents and proceedings
	// belong in the sealed legal section.
	ProtectionStatus string         `json:"protection_status,omitempty"`
	Consent          ConsentInput   `json:"consent"`
	Identity         *IdentityInfo  `json:"identity,omitempty"`
	Narrative        *NarrativeInfo `json:"narrative,omitempty"`
	Health           *HealthInfo    `json:"health,omitempty"`
	Legal            *LegalInfo     `json:"legal,omitempty"`
	// NotificationID links an earlier anonymous notification to this case.
	NotificationID string `json:"notification_id,omitempty"`
}

// IdentityInfo is the identity section.
type IdentityInfo struct {
	FullName     string   `json:"full_name,omitempty"`
	NameVariants []string `json:"name_variants,omitempty"`
	DateOfBirth  string   `json:"date_of_birth,omitempty"` // YYYY-MM-DD or YYYY
	Contacts     string   `json:"contacts,omitempty"`
	Documents    string   `json:"documents,omitempty"`
}

// NarrativeInfo is the narrative section.
type NarrativeInfo struct {
	Account string `json:"account,omitempty"`
}

// HealthInfo is the health section.
type HealthInfo struct {
	Notes string `json:"notes,omitempty"`
}

// LegalInfo is the legal section.
type LegalInfo struct {
	Notes             string `json:"notes,omitempty"`
	ImmigrationStatus string `json:"immigration_status,omitempty"`
	Proceedings       string `json:"proceedings,omitempty"`
}

// ConsentInput is consent as given at registration or later. The three
// booleans are the minimal form; the rest makes it a record.
type ConsentInput struct {
	Assistance  bool     `json:"assistance"`
	NRMReferral bool     `json:"nrm_referral"`
	DataSharing bool     `json:"data_sharing"`
	ShareWith   []string `json:"share_with,omitempty"`   // organisation kinds data may be shared with (default: all service-provider kinds when data_sharing)
	ExplainedIn string   `json:"explained_in,omitempty"` // ISO 639-1 language it was explained in
	Interpreter bool     `json:"interpreter,omitempty"`
	ExpiresOn   string   `json:"expires_on,omitempty"` // YYYY-MM-DD
	// Purposes limits a later consent record to the purposes named
	// (assistance, nrm_submission, data_sharing): the others keep their
	// records. Empty means all three. Over HTTP the purposes are those
	// whose field the body names, unless the body lists them.
	Purposes []string `json:"purposes,omitempty"`
}

// Consent is one consent record.
type Consent struct {
	ID          string     `json:"id"`
	Purpose     string     `json:"purpose"` // assistance, nrm_submission, data_sharing
	Granted     bool       `json:"granted"`
	ShareWith   []string   `json:"share_with,omitempty"`
	ExplainedIn string     `json:"explained_in,omitempty"`
	Interpreter bool       `json:"interpreter"`
	RecordedBy  string     `json:"recorded_by"`
	RecordedOrg string     `json:"recorded_org"`
	RecordedAt  time.Time  `json:"recorded_at"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
}

// Case is a case as one caller sees it.
type Case struct {
	ID                   string    `json:"id"`
	Reference            string    `json:"reference"` // e.g. NRM-2026-000123
	Route                string    `json:"route"`
	Status               string    `json:"status"`
	OwnerOrg             string    `json:"owner_org"`
	RegisteredBy         string    `json:"registered_by"`
	IdentifiedOn         string    `json:"identified_on"`
	Region               string    `json:"region"`
	Gender               string    `json:"gender"`
	AgeGroup             string    `json:"age_group"`
	TreatedAsChild       bool      `json:"treated_as_child"`
	BirthYear            int       `json:"birth_year,omitempty"`
	AgeDisputed          bool      `json:"age_disputed,omitempty"`
	Nationalities        []string  `json:"nationalities"`
	ExploitationTypes    []string  `json:"exploitation_types"`
	ExploitationLocation string    `json:"exploitation_location"`
	Indicators           []string  `json:"indicators,omitempty"`
	Needs                []string  `json:"needs"`
	Languages            []string  `json:"languages"`
	Dependants           int       `json:"dependants"`
	RiskLevel            string    `json:"risk_level,omitempty"`
	Unaccompanied        bool      `json:"unaccompanied"`
	ProtectionStatus     string    `json:"protection_status,omitempty"`
	Consents             []Consent `json:"consents,omitempty"`
	// Sections holds the sections the caller may read, decrypted; the
	// others are absent (their names listed in Withheld only for the
	// owner, who knows they exist).
	Sections  map[string]json.RawMessage `json:"sections,omitempty"`
	Withheld  []string                   `json:"withheld,omitempty"`
	CreatedAt time.Time                  `json:"created_at"`
	UpdatedAt time.Time                  `json:"updated_at"`
}

// ListQuery pages through a list.
type ListQuery struct {
	Status string `json:"status,omitempty"`
	After  string `json:"after,omitempty"` // cursor
	Limit  int    `json:"limit,omitempty"` // 1..200, default 50
}

// CasePage is a page of cases (no section content). For a service
// provider's caseworker, the first page also carries the caseload: the
// cases its organisation holds an active referral grant for.
type CasePage struct {
	Cases    []Case         `json:"cases"`
	Next     string         `json:"next,omitempty"`
	Caseload []CaseloadItem `json:"caseload,omitempty"`
}

// Grant states.
const (
	GrantPending = "pending"
	GrantActive  = "active"
	GrantRevoked = "revoked"
)

// GrantRequest asks that an organisation be able to read named sections of
// a case (for a referral).
type GrantRequest struct {
	CaseID     string   `json:"case_id"`
	OrgID      string   `json:"org_id"`
	Sections   []string `json:"sections"`
	ReferralID string   `json:"referral_id,omitempty"`
	Purpose    string   `json:"purpose"` // referral, decision, guardian, transfer, authored, break_glass
	// Service is the referral's service code (needs taxonomy); a child
	// may be referred for child_protection without a recorded consent.
	Service string `json:"service,omitempty"`
}

// Grant lets an organisation read named sections of a case once active.
type Grant struct {
	ID         string   `json:"id"`
	CaseID     string   `json:"case_id"`
	OrgID      string   `json:"org_id"`
	Sections   []string `json:"sections"`
	Status     string   `json:"status"`
	Purpose    string   `json:"purpose"`
	ReferralID string   `json:"referral_id,omitempty"`
	GrantedBy  string   `json:"granted_by"` // a user id (the opener, for break-glass), or "intake" when granted on the owner's behalf
	// EndsAt is set in EndGrant's answer: when the follow-up window after
	// the grant's service ends.
	EndsAt    *time.Time `json:"ends_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Duplicate states.
const (
	DuplicatePending   = "pending"
	DuplicateConfirmed = "confirmed"
	DuplicateRejected  = "rejected"
)

// Stable error codes of this service (the shared ones are in kit).
const (
	CodeInvalidTransition = "invalid_transition"
	CodeConsentRequired   = "consent_required"
	CodeNotDraft          = "not_draft"
)

// Errors. Instances the caller may not see are ErrNotFound, never 403, so
// existence does not leak.
var (
	ErrNotFound        = kit.ErrNotFound
	ErrUnavailable     = kit.ErrUnavailable
	ErrNotDraft        = kit.NewError(http.StatusConflict, CodeNotDraft, "the case is not a draft")
	ErrConsentRequired = kit.NewError(http.StatusConflict, CodeConsentRequired, "the person's consent does not cover this")
	ErrInvalidState    = kit.NewError(http.StatusConflict, CodeInvalidTransition, "not allowed in the case's current state")
	// ErrLegalBasisWithdrawn: a recorded disclosure's legal basis is no
	// longer one of the workflow policy's.
	ErrLegalBasisWithdrawn = kit.NewError(http.StatusConflict, "legal_basis_withdrawn",
		"the disclosure's legal basis is no longer one of the workflow policy's")
)

// ErrDenied marks a denial inside a transaction: the service records it
// outside (the transaction rolls back) and answers ErrNotFound.
var ErrDenied = errors.New("intake: denied")

// Decision track states (DESIGN.md, the process).
const (
	DecisionIdentified    = "identified"
	DecisionSubmitted     = "submitted"
	DecisionInfoRequested = "info_requested"
	DecisionRGPositive    = "rg_positive"
	DecisionRGNegative    = "rg_negative"
	DecisionCGPositive    = "cg_positive"
	DecisionCGNegative    = "cg_negative"
	DecisionWithdrawn     = "withdrawn"
)

// Support track states and the support actions that need a child's
// approved best-interests assessment.
const (
	SupportOpen      = "open"
	SupportSuspended = "suspended"
	SupportClosed    = "closed"
	SupportReopened  = "reopened"

	ActionReturn              = "return"
	ActionFamilyTracing       = "family_tracing"
	ActionFamilyReunification = "family_reunification"
	ActionApproveBestInterest = "approve_best_interests"
)

// TransitionRequest is the body of POST /api/v1/cases/{id}/transitions and
// /support. Reason is free text, sealed into the case record; ReasonCode
// is a code kept in clear for the decision record.
type TransitionRequest struct {
	To         string `json:"to"`
	Reason     string `json:"reason,omitempty"`
	ReasonCode string `json:"reason_code,omitempty"`
	// ProceedEarly asks for a conclusive decision before the reflection
	// period ends; it rests on the person's recorded proceed_early_request.
	ProceedEarly bool `json:"proceed_early,omitempty"`
}

// DecisionRecord is one recorded step of a track: codes, who and when.
type DecisionRecord struct {
	ID         string `json:"id"`
	Track      string `json:"track"` // decision, support
	From       string `json:"from"`
	To         string `json:"to"`
	ReasonCode string `json:"reason_code,omitempty"`
	ProposedBy string `json:"proposed_by,omitempty"`
	DecidedBy  string `json:"decided_by"`
	OrgID      string `json:"org_id"`
	EntryID    string `json:"entry_id,omitempty"` // the sealed reasons
	// ProposalEntryID is a confirmed negative decision's proposer's sealed
	// reasons (EntryID holds the confirmer's, if any).
	ProposalEntryID string `json:"proposal_entry_id,omitempty"`
	// ConsentID is the consent record a move onto the NRM route rests on.
	ConsentID string `json:"consent_id,omitempty"`
	// EarlyRequestID is the person's proceed_early_request entry a
	// conclusive decision made before the reflection period ended rests on.
	EarlyRequestID string    `json:"early_request_id,omitempty"`
	DecidedAt      time.Time `json:"decided_at"`
}

// Workflow is the state of a case's two tracks and its child-protection
// prompts, as one authorised reader sees it.
type Workflow struct {
	CaseID                       string           `json:"case_id"`
	DecisionState                string           `json:"decision_state"`
	SupportState                 string           `json:"support_state"`
	Allowed                      []string         `json:"allowed,omitempty"` // decision transitions open to the caller now
	NotYet                       []LaterMove      `json:"not_yet,omitempty"` // the caller's moves refused today, with the date they open
	SubmittedAt                  *time.Time       `json:"submitted_at,omitempty"`
	RGDue                        string           `json:"rg_due,omitempty"`
	Overdue                      bool             `json:"overdue"`
	ReflectionEnds               string           `json:"reflection_ends,omitempty"`
	ReconsiderUntil              string           `json:"reconsider_until,omitempty"`
	PendingProposal              string           `json:"pending_proposal,omitempty"` // a negative decision awaiting a second decision maker
	ProposedBy                   string           `json:"proposed_by,omitempty"`
	AwaitingSecondDecisionMaker  bool             `json:"awaiting_second_decision_maker"`
	Message                      string           `json:"message,omitempty"` // the pending proposal, in words
	TreatedAsChild               bool             `json:"treated_as_child"`
	GuardianOrg                  string           `json:"guardian_org,omitempty"`
	BestInterests                string           `json:"best_interests"` // none, recorded, approved
	NeedsChildProtectionReferral bool             `json:"needs_child_protection_referral"`
	AdultConsentRequired         bool             `json:"adult_consent_required"`
	LegalHold                    bool             `json:"legal_hold"`
	History                      []DecisionRecord `json:"history"`
}

// QueueItem is one case awaiting a decision.
type QueueItem struct {
	CaseID        string `json:"case_id"`
	Reference     string `json:"reference"`
	DecisionState string `json:"decision_state"`
	Due           string `json:"due"` // RG target date, or the end of the reflection period
	Overdue       bool   `json:"overdue"`
	Proposal      string `json:"pending_proposal,omitempty"`
	// AwaitsYou: a negative proposal by another decision maker that the
	// caller may confirm (or overrule with another decision).
	AwaitsYou      bool `json:"awaits_you"`
	TreatedAsChild bool `json:"treated_as_child"`
}

// EntryInput is the body of POST /api/v1/cases/{id}/entries. Content is
// sealed; for an attachment it is {"media_type","data"(base64)}.
type EntryInput struct {
	Type       string          `json:"type"`
	Content    json.RawMessage `json:"content"`
	Supersedes string          `json:"supersedes,omitempty"`
}

// Entry is one entry of the case record. Content is present only when the
// caller's organisation holds its key.
type Entry struct {
	ID           string          `json:"id"`
	CaseID       string          `json:"case_id"`
	Type         string          `json:"type"`
	Supersedes   string          `json:"supersedes,omitempty"`
	SupersededBy string          `json:"superseded_by,omitempty"`
	AuthorUser   string          `json:"author_user"`
	AuthorOrg    string          `json:"author_org"`
	Content      json.RawMessage `json:"content,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
}

// GuardianInput is the body of POST /api/v1/cases/{id}/guardian.
type GuardianInput struct {
	UserID string `json:"user_id"`
	OrgID  string `json:"org_id"`
}

// LaterMove is a move the rules give the caller but that is refused today,
// and the date from which it opens.
type LaterMove struct {
	To           string `json:"to"`
	Code         string `json:"code"`          // why not now, e.g. reflection_period
	PossibleFrom string `json:"possible_from"` // YYYY-MM-DD
	// EarlyOnRequest: the move may be made sooner if the person asks to
	// proceed: their request recorded as a proceed_early_request entry,
	// then the move with proceed_early (adults, positive decision only).
	EarlyOnRequest bool `json:"early_on_request,omitempty"`
}

// CaseloadItem is one person a provider supports: a case its organisation
// holds an active referral grant for, with codes only (never a section).
type CaseloadItem struct {
	CaseID         string    `json:"case_id"`
	Reference      string    `json:"reference"`
	Service        string    `json:"service"`       // the referral's service code
	Sections       []string  `json:"sections"`      // what the grant opens (GET /cases/{id})
	SupportState   string    `json:"support_state"` // open, suspended, closed, reopened
	TreatedAsChild bool      `json:"treated_as_child"`
	Languages      []string  `json:"languages"` // for interpretation
	Since          time.Time `json:"since"`     // when the grant became active
	// NextStep is what the provider has yet to do, as a code:
	// record_support_plan, record_service_delivered, locate_person (the
	// person is missing) or none (support closed).
	NextStep string `json:"next_step"`
}

// Next steps of a caseload item.
const (
	NextSupportPlan      = "record_support_plan"
	NextServiceDelivered = "record_service_delivered"
	NextLocatePerson     = "locate_person"
	NextNone             = "none"
)

// NextStep is what a caseload item asks of its caseworker next.
func NextStep(support string, plan, delivered bool) string {
	switch {
	case support == SupportClosed:
		return NextNone
	case support == SupportSuspended:
		return NextLocatePerson
	case !plan:
		return NextSupportPlan
	case !delivered:
		return NextServiceDelivered
	}
	return NextServiceDelivered // support goes on: the next service delivered
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidID reports whether id has the shape of the ids this service issues;
// anything else cannot exist and is answered as not found.
func ValidID(id string) bool { return uuidRe.MatchString(id) }

// OrgInfo is what intake needs to know about an organisation.
type OrgInfo struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Region string `json:"region,omitempty"`
}

// CaseClasses are the retention classes whose keys are made when a case
// is registered (keys.CaseKeys.NewCase).
var CaseClasses = []string{RetentionIdentity, RetentionSupport, RetentionDecision, RetentionAttachment}
