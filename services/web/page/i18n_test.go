package page

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// keyRe finds the message keys a template uses: .T "key", $.T "key",
// printf "label.%s" is checked through the field names below.
var keyRe = regexp.MustCompile(`\.T\s+"([a-z0-9_.]+)"`)

// fieldRe finds form field names whose labels are looked up as label.<name>.
var fieldRe = regexp.MustCompile(`"name"\s+"([a-z_.]+)"`)

// TestEveryTemplateStringIsTranslated fails when a template uses a key, a
// field label or a code label missing in any language.
func TestEveryTemplateStringIsTranslated(t *testing.T) {
	keys := map[string]bool{}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		b, _ := fs.ReadFile(templateFS, n)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
		for _, m := range fieldRe.FindAllStringSubmatch(string(b), -1) {
			keys["label."+m[1]] = true
		}
	}
	codes := map[string][]string{
		"route": intake.Routes.Codes(), "gender": intake.Genders.Codes(), "age_group": intake.AgeGroups.Codes(),
		"exploitation": intake.ExploitationTypes.Codes(), "location": intake.ExploitationLocations.Codes(),
		"indicator": intake.Indicators.Codes(), "need": intake.Needs.Codes(), "risk": intake.RiskLevels.Codes(),
		"region": append(intake.DefaultRegions, "abroad"), "urgency": referral.Urgencies, "decline": referral.DeclineReasons,
		"entry":    append(intake.EntryTypes, "decision", "decision_letter"),
		"decision": {"identified", "submitted", "info_requested", "rg_positive", "rg_negative", "cg_positive", "cg_negative", "withdrawn"},
		"support":  {"open", "suspended", "closed", "reopened"},
		"referral": {"pending", "accepted", "arrived", "completed", "left", "withdrawn", "no_provider", "disclosed", "queued", "offered", "declined", "expired"},
		"reason": {"same_region", "neighbour_region", "national", "other_region", "language_match", "no_language_match",
			"open_24_7", "load_low", "load_high", "response_fast", "response_slow", "no_response_history",
			"inactive", "service_not_offered", "outside_area", "child_not_accepted", "adult_not_accepted", "gender_not_accepted",
			"dependants_not_accepted", "no_room"},
		"section": {"identity", "narrative", "health", "legal"},
		"status":  {"draft", "registered", "submitted"},
	}
	for kind, list := range codes {
		for _, c := range list {
			keys[kind+"."+c] = true
		}
	}
	for _, r := range intake.Routes.Codes() {
		keys["route."+r+".explain"] = true
	}
	for _, k := range append(monthKeys[:], "errors.title", "signin.expired", "signin.signedout", "signin.invalid",
		"signin.suspended", "enrol.already", "enrol.expired", "enrol.invalid", "field.required", "field.choose", "field.chooseone",
		"field.invalid", "field.date", "field.future", "field.year", "field.codes", "field.dependants", "field.dob",
		"password.mismatch", "password.weak", "password.changed", "totp.changed", "account.invalid",
		"register.draftsaved", "register.done", "register.anonymous.noidentity", "note.added", "note.invalid",
		"submit.done", "submit.refused", "decision.done", "decision.invalid", "decision.refused", "refer.choose",
		"refer.done", "referral.updated", "next.finish", "next.refer", "next.submit", "next.decision", "next.follow",
		"error.notfound.title", "error.notfound.body", "error.busy.title", "error.busy.body", "error.unavailable.title",
		"error.unavailable.body", "error.refused.title", "error.refused.body", "error.forbidden.title", "error.forbidden.body",
		"label.form", "label.consent", "label.identity", "label.narrative", "label.health", "label.legal", "list.separator") {
		keys[k] = true
	}
	for k := range keys {
		if strings.HasPrefix(k, "script.") {
			continue
		}
		if _, ok := pluralMessages[k]; ok {
			continue
		}
		m, ok := messages[k]
		if !ok {
			t.Errorf("%s: no translation at all", k)
			continue
		}
		for lang, s := range map[string]string{"en": m.en, "fr": m.fr, "ar": m.ar} {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: no %s translation", k, lang)
			}
		}
	}
	for k, m := range pluralMessages {
		for _, s := range append(append(m.en[:], m.fr[:]...), m.ar[:]...) {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: a plural form is empty", k)
			}
		}
	}
}

// TestPluralsAndDigits: CLDR plural forms per language, and Western
// digits in Arabic as written in Morocco.
func TestPluralsAndDigits(t *testing.T) {
	cases := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 case"}, {"en", 3, "3 cases"},
		{"fr", 0, "0 dossier"}, {"fr", 1, "1 dossier"}, {"fr", 2, "2 dossiers"},
		{"ar", 0, "لا ملفات"}, {"ar", 1, "ملف واحد"}, {"ar", 2, "ملفان"}, {"ar", 3, "3 ملفات"}, {"ar", 11, "11 ملفًا"}, {"ar", 100, "100 ملف"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			if got := locales[c.lang].T("cases.caption", c.n); got != c.want {
				t.Errorf("%s %d: %q, want %q", c.lang, c.n, got, c.want)
			}
		})
	}
	v := &View{loc: locales["ar"]}
	if got := v.Num(1234); got != "1.234" && got != "1,234" {
		t.Errorf("Arabic number %q, want Western digits", got)
	}
	if got := v.Date("2026-11-20"); got != "20 نونبر 2026" {
		t.Errorf("Arabic date %q", got)
	}
}

// templateFS is the web package's directory, where the templates are.
var templateFS = os.DirFS("..")
