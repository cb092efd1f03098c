package casefile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// The rules of a grant as asked for and of sharing a case's sections
// with another organisation (a grant or a transfer).

var refRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{0,128}$`)

// CheckGrantRequest checks g, naming every failing field at once, and
// returns it with its sections sorted and deduplicated.
func CheckGrantRequest(g GrantRequest) (GrantRequest, error) {
	codes := func(v []string) string { return strings.Join(v, ",") }
	var f kit.Fields
	if !ValidID(g.CaseID) {
		f.Add("case_id", kit.FieldInvalid, "must be a case id")
	}
	if g.OrgID == "" || !refRe.MatchString(g.OrgID) {
		f.Add("org_id", kit.FieldInvalid, "must be an organisation id")
	}
	if !GrantPurposes.Has(g.Purpose) {
		f.Merge(OneOf(GrantPurposes))
	}
	if g.Service != "" && !Needs.Has(g.Service) {
		f.Add("service", kit.FieldNotOneOf, "must be one of "+codes(Needs.Codes()))
	}
	if !refRe.MatchString(g.ReferralID) {
		f.Add("referral_id", kit.FieldInvalid, "must be a referral id")
	}
	if len(g.Sections) == 0 || len(g.Sections) > len(Sections) {
		f.Add("sections", kit.FieldRequired, "name at least one of "+codes(Sections))
	}
	for i, n := range g.Sections {
		if !slices.Contains(Sections, n) {
			f.Add(fmt.Sprintf("sections[%d]", i), kit.FieldNotOneOf, "must be one of "+codes(Sections))
		}
	}
	if err := f.Err(); err != nil {
		return g, err
	}
	g.Sections = slices.Clone(g.Sections)
	slices.Sort(g.Sections)
	g.Sections = slices.Compact(g.Sections)
	return g, nil
}

// Shared is what the consent rule of sharing needs to know of a case.
type Shared struct {
	Route, Status  string
	TreatedAsChild bool
}

// Recipient is what the consent rule needs to know about whoever receives
// a case's sections: its kind, whether it protects children, and whether
// it is the organisation of the child's appointed guardian.
type Recipient struct {
	Org              OrgInfo
	ProtectsChildren bool
	Guardian         bool
}

// Sections a child may be shared without a recorded consent, by the
// relation of the recipient (MayShare): what the purpose needs.
var (
	// childProtectionSections: the mandatory child-protection referral.
	childProtectionSections = []string{SectionIdentity, SectionNarrative, SectionHealth}
	// guardianSections: the appointed guardian (the workflow's
	// AppointGuardian grants these).
	guardianSections = []string{SectionIdentity, SectionLegal}
)

// MayShare applies the consent rule of a grant or a transfer at now. An
// adult's current data_sharing consent must cover the recipient's
// organisation kind. A child (including a person of unknown or disputed
// age) may be shared with without that consent only by who receives it
// and what: a child-protection organisation the sections child protection
// needs, the appointed guardian's organisation the guardian's sections;
// anything else needs the consent recorded for the child, as for an adult.
// Anonymous notifications are never shared.
func MayShare(c Shared, consents []Consent, sections []string, to Recipient, now time.Time) error {
	if c.Route == RouteAnonymous || c.Status == StatusDraft {
		return ErrInvalidState
	}
	if SharingCovers(consents, to.Org.Kind, now) {
		return nil
	}
	if c.TreatedAsChild && (to.ProtectsChildren && within(sections, childProtectionSections) ||
		to.Guardian && within(sections, guardianSections)) {
		return nil
	}
	return ErrConsentRequired
}

// within reports whether every name is in allowed.
func within(names, allowed []string) bool {
	for _, n := range names {
		if !slices.Contains(allowed, n) {
			return false
		}
	}
	return true
}
