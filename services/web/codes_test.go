package web

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/oversight"
)

// shownCodes are the codes each kind of label can be asked for, taken from
// the services' own lists and constants so that a code the services add
// without a label fails the test.
var shownCodes = map[string][]string{
	"route": intake.Routes.Codes(), "gender": intake.Genders.Codes(), "age_group": intake.AgeGroups.Codes(),
	"exploitation": intake.ExploitationTypes.Codes(), "location": intake.ExploitationLocations.Codes(),
	"indicator": intake.Indicators.Codes(), "need": append(intake.Needs.Codes(), referral.ServiceTypes...),
	"risk": intake.RiskLevels.Codes(), "region": append(intake.DefaultRegions, "abroad"),
	"urgency": referral.Urgencies, "decline": referral.DeclineReasons,
	"entry":    append(intake.EntryTypes, "decision", "decision_letter"),
	"decision": intake.DecisionStates,
	"support":  {intake.SupportOpen, intake.SupportSuspended, intake.SupportClosed, intake.SupportReopened},
	"referral": {referral.StatusPending, referral.StatusAccepted, referral.StatusArrived, referral.StatusCompleted,
		referral.StatusLeft, referral.StatusWithdrawn, referral.StatusNoProvider, referral.StatusDisclosed,
		referral.StatusAwaitingApproval, referral.OfferQueued, referral.OfferOffered, referral.OfferAccepted,
		referral.OfferDeclined, referral.OfferExpired, referral.OfferWithdrawn},
	"reason": {referral.ReasonInactive, referral.ReasonServiceNotOffered, referral.ReasonOutsideArea,
		referral.ReasonChildNotAccepted, referral.ReasonAdultNotAccepted, referral.ReasonGenderNotAccepted,
		referral.ReasonNoDependants, referral.ReasonNoRoom, referral.ReasonSameRegion, referral.ReasonNeighbourRegion,
		referral.ReasonNational, referral.ReasonOtherRegion, referral.ReasonLanguageMatch, referral.ReasonNoLanguageMatch,
		referral.ReasonAlwaysOpen, referral.ReasonLoadLow, referral.ReasonLoadHigh, referral.ReasonResponseFast,
		referral.ReasonResponseSlow, referral.ReasonNoHistory},
	"section":        intake.Sections,
	"status":         {intake.StatusDraft, intake.StatusRegistered, intake.StatusSubmitted},
	"actor":          auth.AllRoles,
	"accessed":       {"read", "denial", "emergency", "disclosure"},
	"rights.purpose": intake.ConsentPurposes.Codes(),
	"offer": {referral.OfferQueued, referral.OfferOffered, referral.OfferAccepted, referral.OfferDeclined,
		referral.OfferExpired, referral.OfferWithdrawn},
	"outcome": oversight.AuditOutcomes, "review": oversight.ReviewCodes, "bgstatus": {intake.BreakGlassOpen, intake.BreakGlassExpired},
	"rolecode": auth.AllRoles, "orgkind": identity.OrgKinds, "ustatus": {identity.StatusActive, identity.StatusDisabled},
	"factor":  {identity.SecondFactorPending, identity.SecondFactorActive, identity.SecondFactorSuspended},
	"problem": {identity.ProblemRolesDoNotFit, identity.ProblemIntegrityCheck},
	"keykind": {seal.KindHybrid.String(), seal.KindX25519.String()},
}

// codeUseRe finds the kinds of label a template shows: Code "kind",
// Codes "kind", and the "kind" argument of the select and choices partials.
var codeUseRe = regexp.MustCompile(`(?:\.Codes?|"kind")\s+"([a-z_.]+)"`)

// TestEveryShownCodeHasALabel fails when a template shows a kind of code
// whose codes are not all labelled in English, French and Arabic, or a
// kind this test does not know the codes of (so it cannot be checked).
func TestEveryShownCodeHasALabel(t *testing.T) {
	names, _ := fs.Glob(templateFS, "templates/*.html")
	used := map[string]string{}
	for _, n := range names {
		b, _ := templateFS.ReadFile(n)
		for _, m := range codeUseRe.FindAllStringSubmatch(string(b), -1) {
			if m[1] == "kind" { // a field named kind: (dict "name" "kind" "kind" …)
				continue
			}
			used[m[1]] = n
		}
	}
	if len(used) < 10 {
		t.Fatalf("found only %d kinds of code in the templates: the pattern is stale", len(used))
	}
	for kind, tmpl := range used {
		codes, ok := shownCodes[kind]
		if !ok {
			t.Errorf("%s shows codes of kind %q, whose codes this test does not list", tmpl, kind)
			continue
		}
		for _, c := range codes {
			key := kind + "." + c
			m, ok := messages[key]
			if !ok {
				t.Errorf("%s shows %s, which has no label", tmpl, key)
				continue
			}
			for lang, s := range map[string]string{"en": m.en, "fr": m.fr, "ar": m.ar} {
				if s == "" || s == key {
					t.Errorf("%s: no %s label (%q)", key, lang, s)
				}
			}
		}
	}
}

// TestCodeLabelsBeginAsSentences: a label shown alone in a cell begins
// with a capital letter, so that it does not read as a raw code.
func TestCodeLabelsBeginAsSentences(t *testing.T) {
	for _, c := range []struct{ lang, kind, code, want string }{
		{"en", "exploitation", "labour", "Forced labour"},
		{"en", "location", "in_country", "In the country"},
		{"en", "need", "shelter", "Shelter"},
		{"en", "status", "registered", "Registered"},
		{"fr", "urgency", "high", "Élevée"},
		{"ar", "status", "registered", "مسجل"},
	} {
		v := viewIn(c.lang)
		if got := v.Code(c.kind, c.code); got != c.want {
			t.Errorf("%s %s.%s: %q, want %q", c.lang, c.kind, c.code, got, c.want)
		}
	}
	v := viewIn("en")
	if got := v.Codes("need", []string{"shelter", "legal_aid"}); got != "Shelter, legal aid" {
		t.Errorf("a list of labels: %q", got)
	}
}
