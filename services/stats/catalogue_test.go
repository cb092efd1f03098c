package stats

import "github.com/nrm-project/nrm/services/stats/catalogue"

// The catalogue's code lists under the names the tests use.
var (
	ageGroups      = catalogue.AgeGroups
	genders        = catalogue.Genders
	locations      = catalogue.Locations
	exploitations  = catalogue.Exploitations
	orgKinds       = catalogue.OrgKinds
	declineReasons = catalogue.DeclineReasons
)

// The catalogue's functions and types under the names the tests use.
var (
	services      = catalogue.Services
	isMonth       = catalogue.IsMonth
	periodsOf     = catalogue.PeriodsOf
	newDeltas     = catalogue.NewDeltas
	contributions = catalogue.Contributions
)

type (
	caseFact  = catalogue.CaseFact
	component = catalogue.Component
)
