package intake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Bounds on what a registration may carry. Messages name the field and the
// bound, never the value.
const (
	maxNameRunes      = 200
	maxNameVariants   = 20
	maxShortText      = 4 << 10  // contacts, documents, immigration status
	maxNotes          = 16 << 10 // health and legal notes, proceedings
	maxNarrative      = 64 << 10 // the account
	maxSectionsTotal  = 192 << 10
	maxListCodes      = 20
	maxDependants     = 50
	earliestBirthYear = 1900
)

var (
	dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	yearRe = regexp.MustCompile(`^\d{4}$`)
	uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// validID reports whether id has the shape of the ids this service issues;
// anything else cannot exist and is answered as not found.
func validID(id string) bool { return uuidRe.MatchString(id) }

// treatedAsChild applies the presumption of minority: anyone not known to
// be an adult is treated as a child until assessed.
func treatedAsChild(ageGroup string, disputed bool) bool {
	return ageGroup != "adult" || disputed
}

// checked is a registration after validation: normalised codes and the
// plaintext of each present section.
type checked struct {
	Registration
	child    bool
	sections map[string][]byte
}

// validate checks r. A draft may leave fields out; every field present is
// still checked, and a draft's sections obey the same bounds.
func (s *service) validate(r Registration, draft bool) (checked, error) {
	c := checked{Registration: r}
	if !Routes.Has(r.Route) {
		return c, oneOf(Routes)
	}
	today := s.now().Format(time.DateOnly)
	if err := s.validateAttributes(&c.Registration, draft, today); err != nil {
		return c, err
	}
	c.child = treatedAsChild(r.AgeGroup, r.AgeDisputed)
	if len(r.Consent.Purposes) > 0 {
		return c, kit.Validation("consent.purposes: a registration records every purpose")
	}
	if err := validateConsentInput(r.Consent); err != nil {
		return c, err
	}
	sections, err := sealedContent(r, today)
	if err != nil {
		return c, err
	}
	c.sections = sections
	if err := validateRoute(c, draft); err != nil {
		return c, err
	}
	return c, nil
}

func (s *service) validateAttributes(r *Registration, draft bool, today string) error {
	required := func(v, field string) error {
		if v == "" && !draft {
			return kit.Validation(field + ": required")
		}
		return nil
	}
	for _, f := range []struct{ v, name string }{
		{r.IdentifiedOn, "identified_on"}, {r.Region, "region"}, {r.Gender, "gender"},
		{r.AgeGroup, "age_group"}, {r.ExploitationLocation, "exploitation_location"},
	} {
		if err := required(f.v, f.name); err != nil {
			return err
		}
	}
	if r.IdentifiedOn != "" {
		if err := validDate(r.IdentifiedOn, today, "identified_on"); err != nil {
			return err
		}
	}
	if r.Region != "" && !s.regions[r.Region] {
		return kit.Validation("region: must be one of " + strings.Join(s.regionList, ", "))
	}
	for _, f := range []struct {
		v string
		t Taxonomy
	}{{r.Gender, Genders}, {r.AgeGroup, AgeGroups}, {r.ExploitationLocation, ExploitationLocations}, {r.RiskLevel, RiskLevels}} {
		if f.v != "" && !f.t.Has(f.v) {
			return oneOf(f.t)
		}
	}
	if r.BirthYear != 0 && (r.BirthYear < earliestBirthYear || r.BirthYear > s.now().Year()) {
		return kit.Validation(fmt.Sprintf("birth_year: must be between %d and the current year", earliestBirthYear))
	}
	if r.Dependants < 0 || r.Dependants > maxDependants {
		return kit.Validation(fmt.Sprintf("dependants: must be between 0 and %d", maxDependants))
	}
	var err error
	lists := []struct {
		v        *[]string
		t        Taxonomy
		required bool
		allowed  string
	}{
		{&r.Nationalities, Nationalities, true, "ISO 3166-1 alpha-2 codes, stateless or unknown"},
		{&r.ExploitationTypes, ExploitationTypes, true, ""},
		{&r.Indicators, Indicators, false, ""},
		{&r.Needs, Needs, false, ""},
		{&r.Languages, Languages, false, "ISO 639-1 codes"},
	}
	for _, l := range lists {
		if *l.v, err = codeList(*l.v, l.t, l.allowed); err != nil {
			return err
		}
		if l.required && !draft && len(*l.v) == 0 {
			return kit.Validation(l.t.Name + ": at least one code required")
		}
	}
	if r.NotificationID != "" && !validID(r.NotificationID) {
		return kit.Validation("notification_id: must be a notification id")
	}
	return nil
}

// codeList checks every code and returns the list sorted and deduplicated.
func codeList(v []string, t Taxonomy, allowed string) ([]string, error) {
	if len(v) > maxListCodes {
		return nil, kit.Validation(fmt.Sprintf("%s: at most %d codes", t.Name, maxListCodes))
	}
	for _, c := range v {
		if !t.Has(c) {
			if allowed != "" {
				return nil, kit.Validation(t.Name + ": each must be one of the " + allowed)
			}
			return nil, oneOf(t)
		}
	}
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out), nil
}

func oneOf(t Taxonomy) error {
	return kit.Validation(t.Name + ": must be one of " + strings.Join(t.codes, ", "))
}

func validDate(v, today, field string) error {
	if !dateRe.MatchString(v) {
		return kit.Validation(field + ": must be a date YYYY-MM-DD")
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return kit.Validation(field + ": must be a date YYYY-MM-DD")
	}
	if v > today {
		return kit.Validation(field + ": must not be in the future")
	}
	return nil
}

// consentPurposes are the purposes a consent record may name.
var consentPurposes = []string{PurposeAssistance, PurposeNRMSubmission, PurposeDataSharing}

func validateConsentInput(c ConsentInput) error {
	for _, p := range c.Purposes {
		if !slices.Contains(consentPurposes, p) {
			return kit.Validation("consent.purposes: each must be one of " + strings.Join(consentPurposes, ", "))
		}
	}
	for _, k := range c.ShareWith {
		if !OrgKinds.Has(k) {
			return kit.Validation("consent.share_with: each must be one of " + strings.Join(OrgKinds.codes, ", "))
		}
	}
	if len(c.ShareWith) > len(OrgKinds.codes) {
		return kit.Validation("consent.share_with: too many codes")
	}
	if c.ExplainedIn != "" && !Languages.Has(c.ExplainedIn) {
		return kit.Validation("consent.explained_in: must be an ISO 639-1 code")
	}
	if c.ExpiresOn != "" {
		if _, err := time.Parse(time.DateOnly, c.ExpiresOn); err != nil || !dateRe.MatchString(c.ExpiresOn) {
			return kit.Validation("consent.expires_on: must be a date YYYY-MM-DD")
		}
	}
	return nil
}

// validateRoute applies the rules of the three routes.
func validateRoute(c checked, draft bool) error {
	adultKnown := c.AgeGroup == "adult" && !c.AgeDisputed
	switch c.Route {
	case RouteAnonymous:
		if c.AgeGroup != "" && !adultKnown || !draft && !adultKnown {
			return kit.Validation("route: anonymous is for adults only; a child or a person of unknown or disputed age is registered on the nrm route")
		}
		// A notification carries no section (free text can identify), no
		// birth year and no link.
		if len(c.sections) > 0 || c.BirthYear != 0 || c.NotificationID != "" {
			return kit.Validation("route: an anonymous notification takes no identity, narrative, health or legal section, birth_year or notification_id")
		}
	case RouteAssistance:
		if c.AgeGroup != "" && !adultKnown || !draft && !adultKnown {
			return kit.Validation("route: assistance is for adults only; a child or a person of unknown or disputed age is registered on the nrm route")
		}
		if !draft && !c.Consent.Assistance {
			return fmt.Errorf("intake: assistance route without assistance consent: %w", ErrConsentRequired)
		}
	case RouteNRM:
		// A child is referred without consent; an adult must consent.
		if !draft && !c.child && !c.Consent.NRMReferral {
			return fmt.Errorf("intake: nrm route without nrm_referral consent: %w", ErrConsentRequired)
		}
	}
	return nil
}

// sealedContent checks the sections' bounds and returns each non-empty
// section's JSON plaintext.
func sealedContent(r Registration, today string) (map[string][]byte, error) {
	out := map[string][]byte{}
	total := 0
	add := func(name string, v any, empty bool) error {
		if empty {
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return kit.Validation(name + ": cannot be encoded")
		}
		total += len(b)
		out[name] = b
		return nil
	}
	if id := r.Identity; id != nil {
		if err := checkIdentity(id, today); err != nil {
			return nil, err
		}
		if err := add(SectionIdentity, id, id.FullName == "" && len(id.NameVariants) == 0 && id.DateOfBirth == "" && id.Contacts == "" && id.Documents == ""); err != nil {
			return nil, err
		}
	}
	if n := r.Narrative; n != nil {
		if err := checkText("narrative.account", n.Account, maxNarrative); err != nil {
			return nil, err
		}
		_ = add(SectionNarrative, n, n.Account == "")
	}
	if h := r.Health; h != nil {
		if err := checkText("health.notes", h.Notes, maxNotes); err != nil {
			return nil, err
		}
		_ = add(SectionHealth, h, h.Notes == "")
	}
	if l := r.Legal; l != nil {
		for _, f := range []struct {
			name, v string
			max     int
		}{{"legal.notes", l.Notes, maxNotes}, {"legal.immigration_status", l.ImmigrationStatus, maxShortText}, {"legal.proceedings", l.Proceedings, maxNotes}} {
			if err := checkText(f.name, f.v, f.max); err != nil {
				return nil, err
			}
		}
		_ = add(SectionLegal, l, *l == LegalInfo{})
	}
	if total > maxSectionsTotal {
		return nil, kit.Validation(fmt.Sprintf("sections: at most %d bytes in all", maxSectionsTotal))
	}
	return out, nil
}

func checkIdentity(id *IdentityInfo, today string) error {
	if err := checkName("identity.full_name", id.FullName); err != nil {
		return err
	}
	if len(id.NameVariants) > maxNameVariants {
		return kit.Validation(fmt.Sprintf("identity.name_variants: at most %d", maxNameVariants))
	}
	for _, v := range id.NameVariants {
		if err := checkName("identity.name_variants", v); err != nil {
			return err
		}
	}
	if dob := id.DateOfBirth; dob != "" {
		switch {
		case yearRe.MatchString(dob):
			if dob > today[:4] || dob < fmt.Sprint(earliestBirthYear) {
				return kit.Validation("identity.date_of_birth: must be a past year or date")
			}
		default:
			if err := validDate(dob, today, "identity.date_of_birth"); err != nil {
				return err
			}
		}
	}
	if err := checkText("identity.contacts", id.Contacts, maxShortText); err != nil {
		return err
	}
	return checkText("identity.documents", id.Documents, maxShortText)
}

func checkName(field, v string) error {
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxNameRunes {
		return kit.Validation(fmt.Sprintf("%s: at most %d characters of valid UTF-8", field, maxNameRunes))
	}
	return nil
}

func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) || len(v) > max {
		return kit.Validation(fmt.Sprintf("%s: at most %d bytes of valid UTF-8", field, max))
	}
	return nil
}

// birthYear returns the year of birth the duplicate index uses: from the
// date of birth, else the declared year, else 0 (unknown).
func birthYear(id *IdentityInfo, declared int) int {
	if id != nil && len(id.DateOfBirth) >= 4 && yearRe.MatchString(id.DateOfBirth[:4]) {
		var y int
		_, _ = fmt.Sscanf(id.DateOfBirth[:4], "%d", &y)
		return y
	}
	return declared
}
