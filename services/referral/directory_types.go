package referral

import (
	"regexp"
	"strings"

	"github.com/nrm-project/nrm/services/referral/directory"
)

// The directory's types (package directory), under the names the referral
// API has always given them.
type (
	Provider         = directory.Provider
	ProviderService  = directory.ProviderService
	ProviderInput    = directory.ProviderInput
	ServicePlaces    = directory.ServicePlaces
	HSDSDocument     = directory.HSDSDocument
	HSDSOrganization = directory.HSDSOrganization
	HSDSAttribute    = directory.HSDSAttribute
	HSDSService      = directory.HSDSService
	HSDSServiceArea  = directory.HSDSServiceArea
	HSDSLanguage     = directory.HSDSLanguage
	HSDSSchedule     = directory.HSDSSchedule
	HSDSCapacity     = directory.HSDSCapacity
)

// Availability values, and the bound on one service's places.
const (
	Always    = directory.Always
	Hours     = directory.Hours
	MaxPlaces = directory.MaxPlaces
)

var (
	uuidRe    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	codeRe    = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

func validID(s string) bool { return uuidRe.MatchString(s) }

// directoryRules are the checks of a directory entry in this deployment.
func (s *service) directoryRules() directory.Rules {
	return directory.Rules{Regions: s.routing.Regions, Services: ServiceTypes}
}

func joinCodes(xs []string) string { return strings.Join(xs, ", ") }
