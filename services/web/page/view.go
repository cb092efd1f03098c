package page

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// View is what a page template gets: the translation methods, the
// session's user, the page's own data and its field errors.
type View struct {
	Title   string // message key
	Message string // message key
	Detail  string // a stable error code, shown as is
	Args    []any  // the arguments of Message
	Flash   string // message key shown once
	Data    any
	Form    url.Values
	Errors  FieldErrors
	loc     *Locale
	s       *Session
	path    string
}

// FieldErrors maps a form field name to the message keys of its errors,
// in the order of the form.
type FieldErrors struct {
	order []string
	msgs  map[string]string
}

func (e *FieldErrors) Add(field, key string) {
	if e.msgs == nil {
		e.msgs = map[string]string{}
	}
	if _, ok := e.msgs[field]; ok {
		return
	}
	e.order = append(e.order, field)
	e.msgs[field] = key
}

func (e FieldErrors) Any() bool { return len(e.order) > 0 }

// FieldError is one entry of the error summary.
type FieldError struct{ Field, Key string }

// List returns the errors in form order, for the summary.
func (e FieldErrors) List() []FieldError {
	out := make([]FieldError, 0, len(e.order))
	for _, f := range e.order {
		out = append(out, FieldError{f, e.msgs[f]})
	}
	return out
}

// For returns the message key of field's error, or "".
func (e FieldErrors) For(field string) string { return e.msgs[field] }

// T translates key.
func (v *View) T(key string, args ...any) string { return v.loc.T(key, args...) }

// Msg translates Message with its arguments.
func (v *View) Msg() string { return v.loc.T(v.Message, v.Args...) }

// Code translates a code of a taxonomy: {{$.Code "route" .Route}}. A
// label stands on its own in a cell or after a name, so it begins with a
// capital letter, as a sentence does (the catalogue keeps labels as they
// read inside a sentence).
func (v *View) Code(kind, code string) string {
	if code == "" {
		return ""
	}
	return Sentence(v.loc.T(kind + "." + code))
}

// Codes translates a list of codes, joined by the locale's separator; the
// list begins with a capital letter.
func (v *View) Codes(kind string, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = v.loc.T(kind + "." + c)
	}
	return Sentence(strings.Join(out, v.loc.T("list.separator")))
}

// Sentence capitalises the first letter of s (a no-op in Arabic script).
func Sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// Date formats t (a time or a YYYY-MM-DD string) for the locale.
func (v *View) Date(t any) string { return v.loc.date(t) }

// Num formats n for the locale (Western digits in Arabic, as in Morocco).
func (v *View) Num(n int) string { return v.loc.p.Sprintf("%d", n) }

// Lang and Dir are the page's lang and dir attributes.
func (v *View) Lang() string { return v.loc.code }
func (v *View) Dir() string  { return v.loc.dir }

// Languages lists the choices of the language menu.
func (v *View) Languages() []*Locale { return localeList }

// User is the signed-in user's session (never a token in a template).
func (v *View) User() *Session { return v.s }

// SignedIn reports whether someone is signed in.
func (v *View) SignedIn() bool { return v.s != nil && v.s.SignedIn() }

// Has reports whether the signed-in user holds role.
func (v *View) Has(role string) bool { return v.s != nil && v.s.HasRole(role) }

// CSRF is the form token of the session.
func (v *View) CSRF() string { return v.s.CSRF }

// Path is the page's own path (for the language menu's way back).
func (v *View) Path() string { return v.path }

// Value returns the form value of field (after a failed post).
func (v *View) Value(field string) string { return v.Form.Get(field) }

// Checked reports whether a checkbox or radio of field has value.
func (v *View) Checked(field, value string) bool {
	for _, x := range v.Form[field] {
		if x == value {
			return true
		}
	}
	return false
}

// Err returns the translated error of field, or "".
func (v *View) Err(field string) string {
	if k := v.Errors.For(field); k != "" {
		return v.loc.T(k)
	}
	return ""
}

// Locale is one language of the pages.
type Locale struct {
	code  string // BCP 47, the page's lang attribute
	dir   string // ltr or rtl
	Name  string // the language's own name, for the menu
	tag   language.Tag
	p     *message.Printer
	month [12]string
}

func (l *Locale) Code() string { return l.code }

// T translates key with args (plural forms chosen by CLDR rules).
func (l *Locale) T(key string, args ...any) string { return l.p.Sprintf(key, args...) }

func (l *Locale) date(t any) string {
	var d time.Time
	switch x := t.(type) {
	case time.Time:
		d = x
	case *time.Time:
		if x == nil {
			return ""
		}
		d = *x
	case string:
		p, err := time.Parse(time.DateOnly, x)
		if err != nil {
			return x
		}
		d = p
	default:
		return ""
	}
	if d.IsZero() {
		return ""
	}
	// Day and year in Western digits in every locale (Morocco's usage).
	return fmt.Sprintf("%d %s %d", d.Day(), l.month[d.Month()-1], d.Year())
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"list": func(xs ...string) []string { return xs },
	// dict passes named values to a partial template.
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"minutes": func(d time.Duration) int { return int(d.Round(time.Minute) / time.Minute) },
}

// Time formats t as the date of the locale and the time in UTC, the
// log's own clock.
func (v *View) Time(x any) string {
	var t time.Time
	switch y := x.(type) {
	case time.Time:
		t = y
	case *time.Time:
		if y != nil {
			t = *y
		}
	}
	if t.IsZero() {
		return ""
	}
	return v.loc.date(t) + " " + t.UTC().Format("15:04:05") + " UTC"
}

// Roles translates a comma-separated list of role codes.
func (v *View) Roles(list string) string {
	if list == "" {
		return "—"
	}
	return v.Codes("rolecode", strings.Split(list, ","))
}

// RTL reports whether the language is written from right to left.
func (l *Locale) RTL() bool { return l.dir == "rtl" }

// In binds v to a language and a session, for a view rendered outside
// Render (a chart's labels, what is handed over in the person's language).
func (v *View) In(l *Locale, s *Session) *View {
	v.loc, v.s = l, s
	return v
}
