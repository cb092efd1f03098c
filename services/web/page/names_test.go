package page

import (
	"testing"

	"github.com/nrm-project/nrm/services/intake"
)

func TestCountriesAndLanguagesAreNamedInTheReadersLanguage(t *testing.T) {
	cases := []struct {
		lang             string
		countries, langs string
	}{
		{"en", "Nigeria, Morocco, XQ", "English, Arabic"},
		{"fr", "Nigéria, Maroc, XQ", "Anglais, arabe"},
		{"ar", "نيجيريا، المغرب، XQ", "الإنجليزية، العربية"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			v := &View{loc: locales[c.lang]}
			if got := v.Countries([]string{"NG", "MA", "XQ"}); got != c.countries {
				t.Errorf("Countries = %q, want %q", got, c.countries)
			}
			if got := v.LanguageNames([]string{"en", "ar"}); got != c.langs {
				t.Errorf("LanguageNames = %q, want %q", got, c.langs)
			}
		})
	}
	if got := (&View{loc: locales["en"]}).Countries(nil); got != "" {
		t.Errorf("no codes: %q", got)
	}
}

// Every code a registration accepts has a name in every language of the
// pages: a code shown raw would mean nothing to most readers.
func TestEveryTaxonomyCodeHasAName(t *testing.T) {
	for _, l := range localeList {
		v := &View{loc: l}
		for _, c := range intake.Nationalities.Codes() {
			if got := v.Countries([]string{c}); got == c {
				t.Errorf("%s: nationality %s has no name", l.code, c)
			}
		}
		for _, c := range intake.Languages.Codes() {
			if got := v.LanguageNames([]string{c}); got == c {
				t.Errorf("%s: language %s has no name", l.code, c)
			}
		}
	}
}
