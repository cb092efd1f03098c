package stats

import "github.com/nrm-project/nrm/services/stats/catalogue"

// The catalogue (package catalogue) under the names callers of stats use.
type (
	Dimension = catalogue.Dimension
	TableInfo = catalogue.TableInfo
)

// Table names and families of the catalogue (package catalogue).
const (
	TableCasesByAgeLocation    = catalogue.TableCasesByAgeLocation
	TableExploitationGenderAge = catalogue.TableExploitationGenderAge
	TableRegionResponder       = catalogue.TableRegionResponder
	TableDecisionsOutcomeAge   = catalogue.TableDecisionsOutcomeAge
	TableDecisionTimeliness    = catalogue.TableDecisionTimeliness
	TableReferralAcceptance    = catalogue.TableReferralAcceptance
	TableUnmetNeeds            = catalogue.TableUnmetNeeds
	TableOverdueDecisions      = catalogue.TableOverdueDecisions
	TableCasesByNationality    = catalogue.TableCasesByNationality
	TableResponderExploitation = catalogue.TableResponderExploitation
	TableChildren              = catalogue.TableChildren
	TableDecisionTimesAge      = catalogue.TableDecisionTimesAge
	TableReferralOutcomes      = catalogue.TableReferralOutcomes
	TableCasesByProtectionAge  = catalogue.TableCasesByProtectionAge

	FamilyCases     = catalogue.FamilyCases
	FamilyDecisions = catalogue.FamilyDecisions
	FamilyReferrals = catalogue.FamilyReferrals
)

// Cell codes the reads take apart (package catalogue).
const (
	total            = catalogue.Total
	unknown          = catalogue.Unknown
	cellSep          = catalogue.CellSep
	unitCases        = catalogue.UnitCases
	unitPersons      = catalogue.UnitPersons
	unitDecisions    = catalogue.UnitDecisions
	unitInTarget     = catalogue.UnitInTarget
	nationalityOther = catalogue.NationalityOther
)
