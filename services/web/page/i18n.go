package page

import (
	"net/http"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// msg is one message in the three languages.
type msg struct{ en, fr, ar string }

// pmsg is a message with plural forms, chosen by CLDR rules on its first
// argument: English and French use one/other, Arabic
// zero/one/two/few/many/other.
type pmsg struct {
	en, fr [2]string // one, other
	ar     [6]string // zero, one, two, few, many, other
}

var (
	catalogue  = buildCatalogue()
	localeList = []*Locale{
		newLocale("en", "ltr", "English", language.English, language.English),
		newLocale("fr", "ltr", "Français", language.French, language.French),
		// Arabic as written in Morocco: Western digits.
		newLocale("ar", "rtl", "العربية", language.Arabic, language.MustParse("ar-MA")),
	}
	locales = map[string]*Locale{}
	matcher = language.NewMatcher([]language.Tag{language.English, language.French, language.Arabic})
)

func init() {
	for _, l := range localeList {
		locales[l.code] = l
	}
}

func buildCatalogue() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for k, m := range messages {
		_ = b.SetString(language.English, k, m.en)
		_ = b.SetString(language.French, k, m.fr)
		_ = b.SetString(language.Arabic, k, m.ar)
	}
	for k, m := range pluralMessages {
		_ = b.Set(language.English, k, plural.Selectf(1, "%d", "one", m.en[0], "other", m.en[1]))
		_ = b.Set(language.French, k, plural.Selectf(1, "%d", "one", m.fr[0], "other", m.fr[1]))
		_ = b.Set(language.Arabic, k, plural.Selectf(1, "%d",
			"zero", m.ar[0], "one", m.ar[1], "two", m.ar[2], "few", m.ar[3], "many", m.ar[4], "other", m.ar[5]))
	}
	return b
}

func newLocale(code, dir, name string, tag, printer language.Tag) *Locale {
	l := &Locale{code: code, dir: dir, Name: name, tag: tag, p: message.NewPrinter(printer, message.Catalog(catalogue))}
	for i := range l.month {
		l.month[i] = l.T(monthKeys[i])
	}
	return l
}

var monthKeys = [12]string{
	"month.1", "month.2", "month.3", "month.4", "month.5", "month.6",
	"month.7", "month.8", "month.9", "month.10", "month.11", "month.12",
}

// localeFor is the language the user chose (a cookie), else the best
// match of the browser's Accept-Language, else English.
func (h *Site) localeFor(r *http.Request) *Locale {
	if c, err := r.Cookie(LangCookie); err == nil {
		if l, ok := locales[c.Value]; ok {
			return l
		}
	}
	if al := r.Header.Get("Accept-Language"); al != "" && len(al) < 512 {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf != language.No {
				return localeList[i]
			}
		}
	}
	return localeList[0]
}

// chooseLanguage remembers the user's choice for a year and goes back to
// the page it was made on.
func (h *Site) chooseLanguage(q *Request) {
	code := q.R.PostForm.Get("lang")
	if _, ok := locales[code]; ok {
		http.SetCookie(q.W, &http.Cookie{Name: LangCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	back := q.R.PostForm.Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/"
	}
	http.Redirect(q.W, q.R, back, http.StatusSeeOther)
}

// LocaleOf is the language of code (en, fr, ar), if the pages speak it.
func LocaleOf(code string) (*Locale, bool) {
	l, ok := locales[code]
	return l, ok
}

// Catalogue is every message in English, French and Arabic, by key (for
// the tests that check every shown string is translated).
func Catalogue() map[string][3]string {
	out := make(map[string][3]string, len(messages))
	for k, m := range messages {
		out[k] = [3]string{m.en, m.fr, m.ar}
	}
	return out
}
