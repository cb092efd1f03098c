package cases

import (
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
)

// The domain lives in casefile (the case, its consent and duplicates, the
// taxonomies); cases speaks its names: its types through the aliases
// below, its taxonomies and codes as casefile's own.

// The case, its registration, consent and duplicates, and what a case
// view and a submission carry of the workflow (casefile/case.go).
type (
	Registration      = casefile.Registration
	IdentityInfo      = casefile.IdentityInfo
	LegalInfo         = casefile.LegalInfo
	ConsentInput      = casefile.ConsentInput
	Consent           = casefile.Consent
	Case              = casefile.Case
	ListQuery         = casefile.ListQuery
	CasePage          = casefile.CasePage
	Duplicate         = casefile.Duplicate
	DuplicatePage     = casefile.DuplicatePage
	TransitionRequest = casefile.TransitionRequest
	DecisionRecord    = casefile.DecisionRecord
	Workflow          = casefile.Workflow
	Entry             = casefile.Entry
)

const (
	StatusDraft        = casefile.StatusDraft
	StatusRegistered   = casefile.StatusRegistered
	StatusSubmitted    = casefile.StatusSubmitted
	SectionIdentity    = casefile.SectionIdentity
	SectionNarrative   = casefile.SectionNarrative
	SectionHealth      = casefile.SectionHealth
	SectionLegal       = casefile.SectionLegal
	DuplicatePending   = casefile.DuplicatePending
	DuplicateConfirmed = casefile.DuplicateConfirmed
	DuplicateRejected  = casefile.DuplicateRejected
	DecisionSubmitted  = casefile.DecisionSubmitted
)

var (
	Sections        = casefile.Sections
	ErrNotFound     = casefile.ErrNotFound
	ErrUnavailable  = casefile.ErrUnavailable
	ErrNotDraft     = casefile.ErrNotDraft
	ErrInvalidState = casefile.ErrInvalidState
)

// OrgInfo is what intake needs to know about an organisation.
type OrgInfo = casefile.OrgInfo

// errDenied marks a denial inside a transaction (casefile.ErrDenied).
var errDenied = casefile.ErrDenied

// ErrIntegrity answers a case whose crypto does not verify.
var ErrIntegrity = keyring.ErrIntegrity

// LimitDuplicateChecks names the duplicate-check limit in a 429.
const LimitDuplicateChecks = "duplicate_checks"
