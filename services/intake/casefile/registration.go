package casefile

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

// The checks of a registration and a consent as given, before anything is
// sealed. Bounds on what a registration may carry. Messages name the field and the
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
)

// TreatedAsChild applies the presumption of minority: anyone not known to
// be an adult is treated as a child until assessed.
func TreatedAsChild(ageGroup string, disputed bool) bool {
	return ageGroup != "adult" || disputed
}

// CheckedRegistration is a registration after CheckRegistration:
// normalised codes and the plaintext of each present section.
type CheckedRegistration struct {
	Registration
	Child    bool
	Sections map[string][]byte
}

// Regions are the regions a registration may name, and their list in the
// order a refusal gives it.
type Regions struct {
	Has  map[string]bool
	List []string
}

// CheckRegistration checks r on the day of now and reports every failing
// field at once. A draft may leave fields out; every field present is
// still checked, and a draft's sections obey the same bounds.
func CheckRegistration(r Registration, draft bool, now time.Time, regions Regions) (CheckedRegistration, error) {
	c := CheckedRegistration{Registration: r}
	var fs kit.Fields
	if !Routes.Has(r.Route) {
		fs.Merge(OneOf(Routes))
	}
	today := now.Format(time.DateOnly)
	fs.Merge(checkAttributes(&c.Registration, draft, now, regions))
	c.Child = TreatedAsChild(r.AgeGroup, r.AgeDisputed)
	if len(r.Consent.Purposes) > 0 {
		fs.Merge(kit.Validation("consent.purposes: a registration records every purpose"))
	}
	fs.Merge(CheckConsentInput(r.Consent))
	sections, err := sealedContent(r, today)
	fs.Merge(err)
	if err := fs.Err(); err != nil {
		return c, err
	}
	c.Sections = sections
	if err := checkRoute(c, draft); err != nil {
		return c, err
	}
	return c, nil
}

// CheckFinal checks, at finalisation, a draft's attributes and route as
// stored (c.Sections naming the sections present): the full checks a
// registration gets, on what the draft kept.
func CheckFinal(c CheckedRegistration, now time.Time, regions Regions) error {
	if err := checkAttributes(&c.Registration, false, now, regions); err != nil {
		return err
	}
	return checkRoute(c, false)
}

// checkAttributes checks the coded attributes, naming every failing
// field.
func checkAttributes(r *Registration, draft bool, now time.Time, regions Regions) error {
	today := now.Format(time.DateOnly)
	var fs kit.Fields
	for _, f := range []struct{ v, name string }{
		{r.IdentifiedOn, "identified_on"}, {r.Region, "region"}, {r.Gender, "gender"},
		{r.AgeGroup, "age_group"}, {r.ExploitationLocation, "exploitation_location"},
	} {
		if f.v == "" && !draft {
			fs.Add(f.name, kit.FieldRequired, "required")
		}
	}
	if r.IdentifiedOn != "" {
		fs.Merge(validDate(r.IdentifiedOn, today, "identified_on"))
	}
	if r.Region != "" && !regions.Has[r.Region] {
		fs.Add("region", kit.FieldNotOneOf, "must be one of "+strings.Join(regions.List, ", "))
	}
	for _, f := range []struct {
		v string
		t Taxonomy
	}{{r.Gender, Genders}, {r.AgeGroup, AgeGroups}, {r.ExploitationLocation, ExploitationLocations}, {r.RiskLevel, RiskLevels},
		{r.ProtectionStatus, ProtectionStatuses}} {
		if f.v != "" && !f.t.Has(f.v) {
			fs.Merge(OneOf(f.t))
		}
	}
	if r.BirthYear != 0 && (r.BirthYear < earliestBirthYear || r.BirthYear > now.Year()) {
		fs.Add("birth_year", kit.FieldInvalid, fmt.Sprintf("must be between %d and the current year", earliestBirthYear))
	}
	if r.Dependants < 0 || r.Dependants > maxDependants {
		fs.Add("dependants", kit.FieldInvalid, fmt.Sprintf("must be between 0 and %d", maxDependants))
	}
	fs.Merge(checkCodeLists(r, draft))
	if r.Unaccompanied && !TreatedAsChild(r.AgeGroup, r.AgeDisputed) {
		fs.Add("unaccompanied", kit.FieldInvalid, "only for a child, or a person of unknown or disputed age")
	}
	if r.NotificationID != "" && !ValidID(r.NotificationID) {
		fs.Add("notification_id", kit.FieldInvalid, "must be a notification id")
	}
	return fs.Err()
}

// checkCodeLists checks the lists of codes, sorted and deduplicated in r.
func checkCodeLists(r *Registration, draft bool) error {
	var fs kit.Fields
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
		out, err := codeList(*l.v, l.t, l.allowed)
		if fs.Merge(err) {
			continue
		}
		*l.v = out
		if l.required && !draft && len(*l.v) == 0 {
			fs.Add(l.t.Name, kit.FieldRequired, "at least one code required")
		}
	}
	return fs.Err()
}

// codeList checks every code, naming each bad one by its index, and
// returns the list sorted and deduplicated.
func codeList(v []string, t Taxonomy, allowed string) ([]string, error) {
	if len(v) > maxListCodes {
		return nil, kit.Validation(fmt.Sprintf("%s: at most %d codes", t.Name, maxListCodes))
	}
	var fs kit.Fields
	for i, c := range v {
		if !t.Has(c) {
			msg := "must be one of " + strings.Join(t.Codes(), ", ")
			if allowed != "" {
				msg = "must be one of the " + allowed
			}
			fs.Add(fmt.Sprintf("%s[%d]", t.Name, i), kit.FieldNotOneOf, msg)
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// OneOf is the refusal of a code outside the taxonomy t.
func OneOf(t Taxonomy) error {
	return kit.ValidationFields(kit.FieldError{Path: t.Name, Code: kit.FieldNotOneOf, Message: "must be one of " + strings.Join(t.Codes(), ", ")})
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

// ConsentPurposeList are the purposes a consent record may name.
var ConsentPurposeList = []string{PurposeAssistance, PurposeNRMSubmission, PurposeDataSharing}

// CheckConsentInput checks the codes and dates of a consent as given.
func CheckConsentInput(c ConsentInput) error {
	var fs kit.Fields
	for _, p := range c.Purposes {
		if !slices.Contains(ConsentPurposeList, p) {
			fs.Add("consent.purposes", kit.FieldNotOneOf, "each must be one of "+strings.Join(ConsentPurposeList, ", "))
			break
		}
	}
	for _, k := range c.ShareWith {
		if !OrgKinds.Has(k) {
			fs.Add("consent.share_with", kit.FieldNotOneOf, "each must be one of "+strings.Join(OrgKinds.Codes(), ", "))
			break
		}
	}
	if len(c.ShareWith) > OrgKinds.Len() {
		fs.Add("consent.share_with", kit.FieldInvalid, "too many codes")
	}
	if c.ExplainedIn != "" && !Languages.Has(c.ExplainedIn) {
		fs.Add("consent.explained_in", kit.FieldNotOneOf, "must be an ISO 639-1 code")
	}
	if c.ExpiresOn != "" {
		if _, err := time.Parse(time.DateOnly, c.ExpiresOn); err != nil || !dateRe.MatchString(c.ExpiresOn) {
			fs.Add("consent.expires_on", kit.FieldInvalid, "must be a date YYYY-MM-DD")
		}
	}
	return fs.Err()
}

// checkRoute applies the rules of the three routes.
func checkRoute(c CheckedRegistration, draft bool) error {
	adultKnown := c.AgeGroup == "adult" && !c.AgeDisputed
	switch c.Route {
	case RouteAnonymous:
		if c.AgeGroup != "" && !adultKnown || !draft && !adultKnown {
			return kit.Validation("route: anonymous is for adults only; a child or a person of unknown or disputed age is registered on the nrm route")
		}
		// A notification carries no section (free text can identify), no
		// birth year and no link.
		if len(c.Sections) > 0 || c.BirthYear != 0 || c.NotificationID != "" {
			return kit.Validation("route: an anonymous notification takes no identity, narrative, health or legal section, birth_year or notification_id")
		}
	case RouteAssistance:
		if c.AgeGroup != "" && !adultKnown || !draft && !adultKnown {
			return kit.Validation("route: assistance is for adults only; a child or a person of unknown or disputed age is registered on the nrm route")
		}
		if !draft && !c.Consent.Assistance {
			return ConsentMissing(PurposeAssistance)
		}
	case RouteNRM:
		// A child is referred without consent; an adult must consent.
		if !draft && !c.Child && !c.Consent.NRMReferral {
			return ConsentMissing(PurposeNRMSubmission)
		}
	}
	return nil
}

// sealedContent checks the sections' bounds, naming every failing field,
// and returns each non-empty section's JSON plaintext.
func sealedContent(r Registration, today string) (map[string][]byte, error) {
	out := map[string][]byte{}
	var fs kit.Fields
	total := 0
	add := func(name string, v any, empty bool) {
		if empty {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			fs.Add(name, kit.FieldInvalid, "cannot be encoded")
			return
		}
		total += len(b)
		out[name] = b
	}
	if id := r.Identity; id != nil {
		fs.Merge(checkIdentity(id, today))
		add(SectionIdentity, id, id.FullName == "" && len(id.NameVariants) == 0 && id.DateOfBirth == "" && id.Contacts == "" && id.Documents == "")
	}
	if n := r.Narrative; n != nil {
		fs.Merge(checkText("narrative.account", n.Account, maxNarrative))
		add(SectionNarrative, n, n.Account == "")
	}
	if h := r.Health; h != nil {
		fs.Merge(checkText("health.notes", h.Notes, maxNotes))
		add(SectionHealth, h, h.Notes == "")
	}
	if l := r.Legal; l != nil {
		for _, f := range []struct {
			name, v string
			max     int
		}{{"legal.notes", l.Notes, maxNotes}, {"legal.immigration_status", l.ImmigrationStatus, maxShortText}, {"legal.proceedings", l.Proceedings, maxNotes}} {
			fs.Merge(checkText(f.name, f.v, f.max))
		}
		add(SectionLegal, l, *l == LegalInfo{})
	}
	if total > maxSectionsTotal {
		fs.Add("sections", kit.FieldTooLong, fmt.Sprintf("at most %d bytes in all", maxSectionsTotal))
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func checkIdentity(id *IdentityInfo, today string) error {
	var fs kit.Fields
	fs.Merge(checkName("identity.full_name", id.FullName))
	if len(id.NameVariants) > maxNameVariants {
		fs.Add("identity.name_variants", kit.FieldInvalid, fmt.Sprintf("at most %d", maxNameVariants))
	}
	for i, v := range id.NameVariants {
		fs.Merge(checkName(fmt.Sprintf("identity.name_variants[%d]", i), v))
	}
	if dob := id.DateOfBirth; dob != "" {
		switch {
		case yearRe.MatchString(dob):
			if dob > today[:4] || dob < fmt.Sprint(earliestBirthYear) {
				fs.Add("identity.date_of_birth", kit.FieldInvalid, "must be a past year or date")
			}
		default:
			fs.Merge(validDate(dob, today, "identity.date_of_birth"))
		}
	}
	fs.Merge(checkText("identity.contacts", id.Contacts, maxShortText))
	fs.Merge(checkText("identity.documents", id.Documents, maxShortText))
	return fs.Err()
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

// BirthYear returns the year of birth the duplicate index uses: from the
// date of birth, else the declared year, else 0 (unknown).
func BirthYear(id *IdentityInfo, declared int) int {
	if id != nil && len(id.DateOfBirth) >= 4 && yearRe.MatchString(id.DateOfBirth[:4]) {
		var y int
		_, _ = fmt.Sscanf(id.DateOfBirth[:4], "%d", &y)
		return y
	}
	return declared
}
