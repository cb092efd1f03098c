package web

// CatalogueText exposes the catalogue to the external tests.
func CatalogueText(lang, key string) string { return locales[lang].T(key) }

// CodeLabel is a code's label as the pages show it.
func CodeLabel(lang, kind, code string) string { return (&view{loc: locales[lang]}).Code(kind, code) }
