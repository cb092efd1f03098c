package identity

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Field limits.
const (
	MaxNameLen  = 200
	MaxEmailLen = 254
)

var (
	uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// A practical address check: one @, a dotted domain, no spaces or
	// control characters. Deliverability is the administrator's business.
	emailRe = regexp.MustCompile(`^[^\s@<>()\[\],;:"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)
)

func validUUID(s string) bool { return uuidRe.MatchString(s) }

// normaliseEmail lower-cases and trims an address.
func normaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkText(field, s string, max int) *kit.Error {
	switch {
	case strings.TrimSpace(s) == "":
		return kit.Validation(field + " is required")
	case !utf8.ValidString(s):
		return kit.Validation(field + " must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		return kit.Validation(field + " is too long")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return kit.Validation(field + " must not contain control characters")
	case strings.IndexFunc(s, invisible) >= 0:
		return kit.Validation(field + " must not contain bidirectional controls or invisible (zero-width) characters")
	}
	return nil
}

// invisible reports format characters: bidirectional controls (which can
// make a name display as another, U+202E) and zero-width characters
// (U+200B–U+200D, U+2060, U+FEFF) that make two names look alike.
func invisible(r rune) bool {
	return unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cf, r)
}

// mixedScripts reports whether the letters of s come from more than one
// script (a Cyrillic "а" in a Latin address is a look-alike of another
// account).
func mixedScripts(s string) bool {
	var first *unicode.RangeTable
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		if first != nil && unicode.Is(first, r) {
			continue
		}
		if first != nil {
			return true
		}
		for _, t := range unicode.Scripts {
			if unicode.Is(t, r) {
				first = t
				break
			}
		}
		if first == nil {
			return true // a letter of no known script
		}
	}
	return false
}

// checkEmail validates a normalised address, naming field.
func checkEmail(field, email string) error {
	local, _, _ := strings.Cut(email, "@")
	switch {
	case len(email) > MaxEmailLen || !utf8.ValidString(email) || !emailRe.MatchString(email):
		return kit.Validation(field + " must be an email address")
	case strings.IndexFunc(email, invisible) >= 0:
		return kit.Validation(field + " must not contain bidirectional controls or invisible (zero-width) characters")
	case mixedScripts(local):
		return kit.Validation(field + " must not mix scripts (such as Latin and Cyrillic letters) before the @")
	}
	return nil
}

func (s *service) validateOrg(o NewOrg) (NewOrg, error) {
	o.Name = strings.TrimSpace(o.Name)
	if err := checkText("name", o.Name, MaxNameLen); err != nil {
		return o, err
	}
	if !slices.Contains(OrgKinds, o.Kind) {
		return o, kit.Validation("kind must be one of: " + strings.Join(OrgKinds, ", "))
	}
	if o.Region != "" && !s.regions[o.Region] {
		return o, kit.Validation("region must be one of: " + strings.Join(s.regionList(), ", "))
	}
	return o, nil
}

func (s *service) regionList() []string {
	out := make([]string, 0, len(s.regions))
	for r := range s.regions {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func validateUser(u NewUser) (NewUser, error) {
	if !validUUID(u.OrgID) {
		return u, kit.Validation("org_id must be an organisation id")
	}
	u.Email = normaliseEmail(u.Email)
	if err := checkEmail("email", u.Email); err != nil {
		return u, err
	}
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if err := checkText("display_name", u.DisplayName, MaxNameLen); err != nil {
		return u, err
	}
	if len(u.Roles) == 0 || len(u.Roles) > len(auth.AllRoles) {
		return u, kit.Validation("roles must hold one or more of: " + strings.Join(auth.AllRoles, ", "))
	}
	roles := slices.Clone(u.Roles)
	for _, r := range roles {
		if !auth.ValidRole(r) {
			return u, kit.Validation("roles must hold one or more of: " + strings.Join(auth.AllRoles, ", "))
		}
	}
	slices.Sort(roles)
	u.Roles = slices.Compact(roles)
	if err := checkPassword("password", u.Password); err != nil {
		return u, err
	}
	return u, nil
}

func checkPassword(field, p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case n < MinPasswordLen:
		return kit.Validation(field + " must have at least 12 characters")
	case len(p) > MaxPasswordLen:
		return kit.Validation(field + " must not exceed 1024 bytes")
	case !utf8.ValidString(p):
		return kit.Validation(field + " must be valid UTF-8")
	}
	return nil
}
