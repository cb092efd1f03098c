package intake

import "github.com/nrm-project/nrm/services/intake/casefile"

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
	PurposeAssistance         = casefile.PurposeAssistance
	PurposeNRMSubmission      = casefile.PurposeNRMSubmission
	PurposeDataSharing        = casefile.PurposeDataSharing
	OrgKindCompetentAuthority = casefile.OrgKindCompetentAuthority
	WorkflowPolicyFile        = casefile.WorkflowPolicyFile
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
