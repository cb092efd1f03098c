package web

import "github.com/nrm-project/nrm/services/web/page"

// CatalogueText exposes the catalogue to the external tests.
func CatalogueText(lang, key string) string { return locale(lang).T(key) }

// CodeLabel is a code's label as the pages show it.
func CodeLabel(lang, kind, code string) string { return viewIn(lang).Code(kind, code) }

// locale is the pages' language of code.
func locale(code string) *page.Locale {
	l, ok := page.LocaleOf(code)
	if !ok {
		panic("no language " + code)
	}
	return l
}

// viewIn is an empty view in the language of code.
func viewIn(code string) *page.View { return (&page.View{}).In(locale(code), nil) }

type msg struct{ en, fr, ar string }

// messages is the catalogue, for the tests of its completeness.
var messages = func() map[string]msg {
	out := map[string]msg{}
	for k, m := range page.Catalogue() {
		out[k] = msg{m[0], m[1], m[2]}
	}
	return out
}()
