package web

// CatalogueText exposes the catalogue to the external tests.
func CatalogueText(lang, key string) string { return locales[lang].T(key) }
