package cases

import "github.com/nrm-project/nrm/services/intake/casefile"

// The checks of a registration and a consent are the domain's
// (casefile/registration.go).
var (
	validateConsentInput = casefile.CheckConsentInput
	consentPurposes      = casefile.ConsentPurposeList
	birthYear            = casefile.BirthYear
	// OneOf is the refusal of a code outside the taxonomy t.
	OneOf = casefile.OneOf
)

// checked is a registration after validation: normalised codes and the
// plaintext of each present section.
type checked struct {
	Registration
	child    bool
	sections map[string][]byte
}

// validate checks r (casefile.CheckRegistration) against the configured
// regions, today.
func (s *Cases) validate(r Registration, draft bool) (checked, error) {
	c, err := casefile.CheckRegistration(r, draft, s.now(), s.regions)
	return checked{Registration: c.Registration, child: c.Child, sections: c.Sections}, err
}
