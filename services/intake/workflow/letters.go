package workflow

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

//go:embed letters/*.tmpl
var letterFS embed.FS

var letterTemplates = template.Must(template.ParseFS(letterFS, "letters/*.tmpl"))

// decisionLabels are the decisions as a letter states them, per language.
var decisionLabels = map[string]map[string]string{
	"en": {casefile.DecisionRGPositive: "positive reasonable-grounds decision", casefile.DecisionRGNegative: "negative reasonable-grounds decision",
		casefile.DecisionCGPositive: "positive conclusive-grounds decision", casefile.DecisionCGNegative: "negative conclusive-grounds decision"},
	"fr": {casefile.DecisionRGPositive: "décision positive sur motifs raisonnables", casefile.DecisionRGNegative: "décision négative sur motifs raisonnables",
		casefile.DecisionCGPositive: "décision positive sur motifs concluants", casefile.DecisionCGNegative: "décision négative sur motifs concluants"},
	"ar": {casefile.DecisionRGPositive: "قرار إيجابي بناءً على أسباب معقولة", casefile.DecisionRGNegative: "قرار سلبي بناءً على أسباب معقولة",
		casefile.DecisionCGPositive: "قرار إيجابي نهائي", casefile.DecisionCGNegative: "قرار سلبي نهائي"},
}

// letterLanguage is the first of the person's languages with a template,
// else English.
func letterLanguage(languages []string) string {
	for _, l := range languages {
		if letterTemplates.Lookup(l+".tmpl") != nil {
			return l
		}
	}
	return "en"
}

// letter is what a decision letter states.
type letter struct {
	Reference, Date, Decision, Reason, ReconsiderUntil string
	// ReflectionEnds is set on a conclusive decision made, at the person's
	// request, before the reflection period ended.
	ReflectionEnds string
}

// renderLetter renders the decision letter in lang, in memory.
func renderLetter(lang string, l letter) (string, error) {
	var b strings.Builder
	if err := letterTemplates.ExecuteTemplate(&b, lang+".tmpl", l); err != nil {
		return "", fmt.Errorf("intake: letter: %w", err)
	}
	return b.String(), nil
}

// sealLetter renders the letter of a decision in the person's language
// and seals it into the case record (type decision_letter).
func (tr *Tracks) sealLetter(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, w store.WorkflowRow, to, reason string) error {
	lang := letterLanguage(c.Languages)
	l := letter{Reference: c.Reference, Date: tr.now().Format(time.DateOnly), Decision: decisionLabels[lang][to], Reason: reason}
	if strings.HasPrefix(to, "cg_") && l.Date < w.ReflectionEnds {
		l.ReflectionEnds = w.ReflectionEnds
	}
	if negative(to) {
		l.ReconsiderUntil = tr.now().AddDate(0, 0, tr.pol.ReconsiderationDays).Format(time.DateOnly)
	}
	text, err := renderLetter(lang, l)
	if err != nil {
		return err
	}
	_, err = tr.cw.SealEntry(ctx, tx, p, c, casefile.EntryLetter, map[string]string{"language": lang, "decision": to, "text": text}, "")
	return err
}
