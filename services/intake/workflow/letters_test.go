package workflow

import (
	"strings"
	"testing"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

func TestLetterLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		languages []string
		want      string
	}{
		{"none given", nil, "en"},
		{"first with a template", []string{"fr", "ar"}, "fr"},
		{"skips one without a template", []string{"ti", "ar"}, "ar"},
		{"none with a template", []string{"ti", "uk"}, "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := letterLanguage(tc.languages); got != tc.want {
				t.Fatalf("letterLanguage(%v) = %q, want %q", tc.languages, got, tc.want)
			}
		})
	}
}

// TestRenderLetter: every language states the decision, the reasons and
// the dates the person may act on, and only those that apply.
func TestRenderLetter(t *testing.T) {
	t.Parallel()
	for lang := range decisionLabels {
		t.Run(lang, func(t *testing.T) {
			l := letter{Reference: "NRM-2026-000001", Date: "2026-03-02",
				Decision: decisionLabels[lang][casefile.DecisionRGNegative], Reason: "the account is inconsistent",
				ReconsiderUntil: "2026-04-01"}
			text, err := renderLetter(lang, l)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{l.Reference, l.Decision, l.Reason, l.ReconsiderUntil} {
				if !strings.Contains(text, want) {
					t.Errorf("letter lacks %q:\n%s", want, text)
				}
			}
			l = letter{Reference: "NRM-2026-000001", Date: "2026-03-02",
				Decision: decisionLabels[lang][casefile.DecisionCGPositive], ReflectionEnds: "2026-03-20"}
			if text, err = renderLetter(lang, l); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, l.ReflectionEnds) || strings.Contains(text, "2026-04-01") {
				t.Errorf("an early positive decision's letter:\n%s", text)
			}
		})
	}
}
