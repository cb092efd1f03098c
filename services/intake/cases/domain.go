package cases

import (
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// The shared domain lives in casefile (taxonomies, the workflow policy and
// its calendar); intake's API speaks its names, re-exported here so that
// callers keep one import.

type (
	// Taxonomy is a closed list of codes (casefile.Taxonomy).
	Taxonomy = casefile.Taxonomy
	// WorkflowPolicy is the deployment's workflow.json (casefile.WorkflowPolicy).
	WorkflowPolicy = casefile.WorkflowPolicy
	// Holiday is one non-working date of the policy's calendar.
	Holiday = casefile.Holiday
)

// Taxonomies of registration (casefile/taxonomy.go).
var (
	ExploitationTypes     = casefile.ExploitationTypes
	ExploitationLocations = casefile.ExploitationLocations
	Indicators            = casefile.Indicators
	Needs                 = casefile.Needs
	Genders               = casefile.Genders
	AgeGroups             = casefile.AgeGroups
	RiskLevels            = casefile.RiskLevels
	ProtectionStatuses    = casefile.ProtectionStatuses
	Routes                = casefile.Routes
	OrgKinds              = casefile.OrgKinds
	ConsentPurposes       = casefile.ConsentPurposes
	GrantPurposes         = casefile.GrantPurposes
	Nationalities         = casefile.Nationalities
	Languages             = casefile.Languages
)

// Codes and defaults of the domain.
const (
	RouteNRM                  = casefile.RouteNRM
	RouteAssistance           = casefile.RouteAssistance
	RouteAnonymous            = casefile.RouteAnonymous
	PurposeAssistance         = casefile.PurposeAssistance
	PurposeNRMSubmission      = casefile.PurposeNRMSubmission
	PurposeDataSharing        = casefile.PurposeDataSharing
	OrgKindCompetentAuthority = casefile.OrgKindCompetentAuthority
	WorkflowPolicyFile        = casefile.WorkflowPolicyFile
	NextSupportPlan           = casefile.NextSupportPlan
	NextServiceDelivered      = casefile.NextServiceDelivered
	NextLocatePerson          = casefile.NextLocatePerson
	NextNone                  = casefile.NextNone
	BreakGlassOpen            = casefile.BreakGlassOpen
	BreakGlassExpired         = casefile.BreakGlassExpired
)

var (
	DefaultShareWith = casefile.DefaultShareWith
	DefaultRegions   = casefile.DefaultRegions
)

// The workflow policy is parsed once, by the caller, and passed in Config.
var (
	ParseWorkflowPolicy   = casefile.ParseWorkflowPolicy
	LoadWorkflowPolicy    = casefile.LoadWorkflowPolicy
	DefaultWorkflowPolicy = casefile.DefaultWorkflowPolicy
)

// The case, its registration, consent, grants, duplicates, the two
// tracks and the record (casefile/case.go).
type (
	Registration      = casefile.Registration
	IdentityInfo      = casefile.IdentityInfo
	NarrativeInfo     = casefile.NarrativeInfo
	HealthInfo        = casefile.HealthInfo
	LegalInfo         = casefile.LegalInfo
	ConsentInput      = casefile.ConsentInput
	Consent           = casefile.Consent
	Case              = casefile.Case
	ListQuery         = casefile.ListQuery
	CasePage          = casefile.CasePage
	GrantRequest      = casefile.GrantRequest
	Grant             = casefile.Grant
	Duplicate         = casefile.Duplicate
	DuplicatePage     = casefile.DuplicatePage
	TransitionRequest = casefile.TransitionRequest
	DecisionRecord    = casefile.DecisionRecord
	Workflow          = casefile.Workflow
	QueueItem         = casefile.QueueItem
	EntryInput        = casefile.EntryInput
	Entry             = casefile.Entry
	GuardianInput     = casefile.GuardianInput
	LaterMove         = casefile.LaterMove
	CaseloadItem      = casefile.CaseloadItem
	Disclosure        = casefile.Disclosure
	KeyStatus         = casefile.KeyStatus
	BreakGlass        = casefile.BreakGlass
)

const (
	StatusDraft               = casefile.StatusDraft
	StatusRegistered          = casefile.StatusRegistered
	StatusSubmitted           = casefile.StatusSubmitted
	SectionIdentity           = casefile.SectionIdentity
	SectionNarrative          = casefile.SectionNarrative
	SectionHealth             = casefile.SectionHealth
	SectionLegal              = casefile.SectionLegal
	GrantPending              = casefile.GrantPending
	GrantActive               = casefile.GrantActive
	GrantRevoked              = casefile.GrantRevoked
	DuplicatePending          = casefile.DuplicatePending
	DuplicateConfirmed        = casefile.DuplicateConfirmed
	DuplicateRejected         = casefile.DuplicateRejected
	CodeInvalidTransition     = casefile.CodeInvalidTransition
	CodeConsentRequired       = casefile.CodeConsentRequired
	CodeNotDraft              = casefile.CodeNotDraft
	DecisionIdentified        = casefile.DecisionIdentified
	DecisionSubmitted         = casefile.DecisionSubmitted
	DecisionInfoRequested     = casefile.DecisionInfoRequested
	DecisionRGPositive        = casefile.DecisionRGPositive
	DecisionRGNegative        = casefile.DecisionRGNegative
	DecisionCGPositive        = casefile.DecisionCGPositive
	DecisionCGNegative        = casefile.DecisionCGNegative
	DecisionWithdrawn         = casefile.DecisionWithdrawn
	SupportOpen               = casefile.SupportOpen
	SupportSuspended          = casefile.SupportSuspended
	SupportClosed             = casefile.SupportClosed
	SupportReopened           = casefile.SupportReopened
	ActionReturn              = casefile.ActionReturn
	ActionFamilyTracing       = casefile.ActionFamilyTracing
	ActionFamilyReunification = casefile.ActionFamilyReunification
	ActionApproveBestInterest = casefile.ActionApproveBestInterest
)

var (
	Sections               = casefile.Sections
	ErrNotFound            = casefile.ErrNotFound
	ErrUnavailable         = casefile.ErrUnavailable
	ErrNotDraft            = casefile.ErrNotDraft
	ErrConsentRequired     = casefile.ErrConsentRequired
	ErrInvalidState        = casefile.ErrInvalidState
	ErrLegalBasisWithdrawn = casefile.ErrLegalBasisWithdrawn
)

// OrgInfo is what intake needs to know about an organisation.
type OrgInfo = casefile.OrgInfo

// errDenied marks a denial inside a transaction (casefile.ErrDenied).
var errDenied = casefile.ErrDenied

// The errors of the key ring and of a duplicate decided twice.
var ErrIntegrity = keyring.ErrIntegrity

// purposeBreakGlass is the purpose of an emergency access's grant.
const purposeBreakGlass = casefile.PurposeBreakGlass

// LimitDuplicateChecks names the duplicate-check limit in a 429.
const LimitDuplicateChecks = "duplicate_checks"
