package referral

import "github.com/nrm-project/nrm/services/referral/routing"

// The routing policy and ranking (package routing), under the names the
// referral API has always given them.
type (
	Routing   = routing.Policy
	Weights   = routing.Weights
	Duration  = routing.Duration
	Candidate = routing.Candidate
	profile   = routing.Profile
)

// RoutingFile is the name of the routing configuration in --policies.
const RoutingFile = routing.File

// defaultRouting is the routing.json shipped in the binary.
var defaultRouting = routing.Embedded

// LoadRouting reads routing.json from dir when present there, and the
// embedded default otherwise.
func LoadRouting(dir string) (Routing, error) { return routing.Load(dir) }

// ParseRouting parses and checks a routing configuration.
func ParseRouting(b []byte) (Routing, error) { return routing.Parse(b) }

// National is the region code of a provider serving the whole country.
const National = routing.National

// Exclusion (hard filter) and ranking reason codes of a candidate.
const (
	ReasonInactive          = routing.ReasonInactive
	ReasonServiceNotOffered = routing.ReasonServiceNotOffered
	ReasonOutsideArea       = routing.ReasonOutsideArea
	ReasonChildNotAccepted  = routing.ReasonChildNotAccepted
	ReasonAdultNotAccepted  = routing.ReasonAdultNotAccepted
	ReasonGenderNotAccepted = routing.ReasonGenderNotAccepted
	ReasonNoDependants      = routing.ReasonNoDependants
	ReasonNoRoom            = routing.ReasonNoRoom
	ReasonSameRegion        = routing.ReasonSameRegion
	ReasonNeighbourRegion   = routing.ReasonNeighbourRegion
	ReasonNational          = routing.ReasonNational
	ReasonOtherRegion       = routing.ReasonOtherRegion
	ReasonLanguageMatch     = routing.ReasonLanguageMatch
	ReasonNoLanguageMatch   = routing.ReasonNoLanguageMatch
	ReasonAlwaysOpen        = routing.ReasonAlwaysOpen
	ReasonLoadLow           = routing.ReasonLoadLow
	ReasonLoadHigh          = routing.ReasonLoadHigh
	ReasonResponseFast      = routing.ReasonResponseFast
	ReasonResponseSlow      = routing.ReasonResponseSlow
	ReasonNoHistory         = routing.ReasonNoHistory
)
