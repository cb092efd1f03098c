package page

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Countries and languages are named from CLDR (x/text/language/display) in
// the reader's language, so that a caseworker reads "Nigéria" or "نيجيريا"
// where the case holds NG. A code CLDR does not know stands as it is.

// Countries names ISO 3166-1 alpha-2 codes, joined by the locale's
// separator.
func (v *View) Countries(codes []string) string {
	namer := display.Regions(v.loc.tag)
	return v.names(codes, func(code string) string {
		r, err := language.ParseRegion(code)
		if err != nil {
			return ""
		}
		return namer.Name(r)
	})
}

// LanguageNames names ISO 639 language codes, joined by the locale's
// separator.
func (v *View) LanguageNames(codes []string) string {
	namer := display.Languages(v.loc.tag)
	return v.names(codes, func(code string) string {
		b, err := language.ParseBase(code)
		if err != nil {
			return ""
		}
		return namer.Name(b)
	})
}

func (v *View) names(codes []string, name func(string) string) string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		n := name(c)
		if n == "" {
			n = c
		}
		out = append(out, n)
	}
	return Sentence(strings.Join(out, v.loc.T("list.separator")))
}
