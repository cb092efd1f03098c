package page

import (
	"testing"

	"github.com/nrm-project/nrm/services/stats"
)

// Every table, unit, dimension and code the statistics pages name has
// its words in the three languages.
func TestStatisticsWordsAreTranslated(t *testing.T) {
	keys := []string{}
	for _, name := range []string{stats.TableCasesByAgeLocation, stats.TableExploitationGenderAge, stats.TableRegionResponder,
		stats.TableDecisionsOutcomeAge, stats.TableDecisionTimeliness, stats.TableReferralAcceptance, stats.TableUnmetNeeds,
		stats.TableOverdueDecisions, stats.TableCasesByNationality, stats.TableResponderExploitation, stats.TableChildren,
		stats.TableDecisionTimesAge, stats.TableReferralOutcomes, stats.TableCasesByProtectionAge} {
		keys = append(keys, "table."+name)
	}
	for _, u := range []string{"cases", "persons", "decisions", "within_target", "referrals", "unmet_needs", "overdue", "children"} {
		keys = append(keys, "unit."+u)
	}
	for d := range statDims {
		keys = append(keys, "dim."+d)
	}
	keys = append(keys, "dim.outcome", "dim.nationality")
	codes := map[string][]string{
		"orgkind": {"police", "labour_inspectorate", "border", "prosecution", "health", "social_services", "ngo",
			"international_org", "competent_authority", "commission", "oversight"},
		"stage": {"rg", "cg"}, "separation": {"unaccompanied", "accompanied"},
		"guardianout": {"within_target", "later", "not_appointed"}, "protection": {"refugee", "asylum_seeker", "none"},
		"refoutcome":      {"accepted", "declined", "expired", "no_provider", "declined_reason"},
		"offer":           {"queued", "offered", "accepted", "declined", "expired", "withdrawn"},
		"releases.status": {"provisional", "final"}, "releases.method": {stats.MethodCellKey, stats.MethodDP},
	}
	for kind, list := range codes {
		for _, c := range list {
			keys = append(keys, kind+"."+c)
		}
	}
	for _, k := range keys {
		m, ok := messages[k]
		if !ok || m.en == "" || m.fr == "" || m.ar == "" {
			t.Errorf("%s: missing in a language", k)
		}
	}
}
