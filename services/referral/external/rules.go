package external

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Rules are the deployment's rules for external referrals: the workflow
// policy's disclosure lists and package limits, and the routing policy's
// legal bases (used when the workflow policy names none) and country.
type Rules struct {
	Policy            Policy
	RoutingLegalBases []string
	// Country is the deployment's own country code ("" when not
	// configured: every country is then another one).
	Country string
}

var (
	codeRe    = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Downloads is how many times a package may be downloaded.
func (r Rules) Downloads() int {
	if r.Policy.PackageDownloads > 0 {
		return r.Policy.PackageDownloads
	}
	return DefaultPackageDownloads
}

// Window is for how long after the disclosure a package may be downloaded.
func (r Rules) Window() time.Duration {
	if r.Policy.PackageWindow > 0 {
		return r.Policy.PackageWindow
	}
	return DefaultPackageWindow
}

// LegalBases are the bases an external referral may name.
func (r Rules) LegalBases() []string {
	if len(r.Policy.LegalBases) > 0 {
		return r.Policy.LegalBases
	}
	return r.RoutingLegalBases
}

// Check validates the codes of an external referral and returns its
// recipient kind: the given kind, or the destination when it is a kind,
// or foreign_authority for a country.
func (r Rules) Check(legalBasis, destination, kind string) (string, error) {
	if bases := r.LegalBases(); !slices.Contains(bases, legalBasis) {
		return "", kit.Validation("legal_basis: must be one of " + strings.Join(bases, ", "))
	}
	if !countryRe.MatchString(destination) && !codeRe.MatchString(destination) {
		return "", kit.Validation("destination: a country code (ISO 3166-1 alpha-2) or an organisation kind code")
	}
	switch {
	case kind != "":
	case countryRe.MatchString(destination):
		kind = "foreign_authority"
	default:
		kind = destination
	}
	if len(r.Policy.RecipientKinds) > 0 && !slices.Contains(r.Policy.RecipientKinds, kind) {
		return "", kit.Validation("recipient_kind: must be one of " + strings.Join(r.Policy.RecipientKinds, ", ") +
			" (by default the destination, or foreign_authority for a country)")
	}
	if !codeRe.MatchString(kind) {
		return "", kit.Validation("recipient_kind: a recipient kind code")
	}
	return kind, nil
}

// foreignKinds are the recipient kinds that are outside the country
// whatever the destination says: another state's authority, an embassy,
// an international organisation.
var foreignKinds = []string{"foreign_authority", "embassy", "international_org"}

// domesticKinds are the recipient kinds known to be in the country when
// the workflow policy names no list.
var domesticKinds = []string{"police", "prosecution", "court", "other_authority", "ngo", "health", "social_services"}

// InCountry reports whether a kind code is known to be in the country: a
// recipient kind of the policy that is not a foreign kind.
func (r Rules) InCountry(kind string) bool {
	if slices.Contains(foreignKinds, kind) {
		return false
	}
	if len(r.Policy.RecipientKinds) > 0 {
		return slices.Contains(r.Policy.RecipientKinds, kind)
	}
	return slices.Contains(domesticKinds, kind)
}

// CrossBorder reports whether an external referral may leave the
// country, and so waits for a second person: a destination that is
// another country (or any country when the deployment's own is not
// configured), a foreign recipient kind, or a destination or recipient
// kind not known to be in the country. Both are the sender's own words,
// so either one is enough.
func (r Rules) CrossBorder(destination, recipientKind string) bool {
	if countryRe.MatchString(destination) {
		if r.Country == "" || destination != r.Country {
			return true
		}
	} else if !r.InCountry(destination) {
		return true
	}
	return !r.InCountry(recipientKind)
}

// Fingerprint is the hex SHA-256 of a recipient key, shown in views.
func Fingerprint(recipient string) string {
	h := sha256.Sum256([]byte(recipient))
	return hex.EncodeToString(h[:])
}
