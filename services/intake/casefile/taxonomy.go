package casefile

import (
	_ "embed"
	"slices"
	"strings"
)

// Taxonomy is a closed list of codes. Labels are translated elsewhere; the
// service stores and compares codes only.
type Taxonomy struct {
	Name  string
	codes []string
	set   map[string]bool
}

func newTaxonomy(name string, codes ...string) Taxonomy {
	t := Taxonomy{Name: name, codes: codes, set: make(map[string]bool, len(codes))}
	for _, c := range codes {
		t.set[c] = true
	}
	return t
}

// Has reports whether code belongs to the taxonomy.
func (t Taxonomy) Has(code string) bool { return t.set[code] }

// Codes returns the codes in their defined order.
func (t Taxonomy) Codes() []string { return slices.Clone(t.codes) }

// Len is the number of codes.
func (t Taxonomy) Len() int { return len(t.codes) }

// Taxonomies of registration (DESIGN.md, taxonomies).
var (
	ExploitationTypes = newTaxonomy("exploitation_types",
		"sexual", "labour", "domestic_servitude", "criminality", "begging", "forced_marriage",
		"organ_removal", "illegal_adoption", "surrogacy", "child_soldiering", "other")
	ExploitationLocations = newTaxonomy("exploitation_location", "in_country", "abroad", "both", "unknown")
	Indicators            = newTaxonomy("indicators",
		"deceptive_recruitment", "coercive_recruitment", "recruitment_abuse_of_vulnerability",
		"exploitative_conditions", "coercion_at_destination", "abuse_of_vulnerability_at_destination")
	Needs = newTaxonomy("needs",
		"shelter", "medical", "mental_health", "psychosocial", "legal_aid", "interpretation",
		"return_reintegration", "vocational_training", "employment", "child_protection",
		"documentation", "family_tracing", "material_assistance")
	Genders    = newTaxonomy("gender", "female", "male", "other", "unknown")
	AgeGroups  = newTaxonomy("age_group", "child", "adult", "unknown")
	RiskLevels = newTaxonomy("risk_level", "low", "medium", "high", "critical")
	// ProtectionStatuses is the international-protection status, a code.
	ProtectionStatuses = newTaxonomy("protection_status", "refugee", "asylum_seeker", "none", "unknown")
	Routes             = newTaxonomy("route", RouteNRM, RouteAssistance, RouteAnonymous)
	OrgKinds           = newTaxonomy("org_kind",
		"police", "labour_inspectorate", "border", "prosecution", "health", "social_services",
		"ngo", "international_org", "competent_authority", "commission", "oversight")
	ConsentPurposes = newTaxonomy("purpose", PurposeAssistance, PurposeNRMSubmission, PurposeDataSharing)
	GrantPurposes   = newTaxonomy("purpose", "referral", "guardian")
	// Nationalities are ISO 3166-1 alpha-2 codes plus stateless and unknown.
	Nationalities = newTaxonomy("nationalities", append(embeddedCodes(countryList), "stateless", "unknown")...)
	// Languages are ISO 639-1 codes.
	Languages = newTaxonomy("languages", embeddedCodes(languageList)...)
)

// Routes at identification (DESIGN.md, the process).
const (
	RouteNRM        = "nrm"
	RouteAssistance = "assistance"
	RouteAnonymous  = "anonymous"
)

// Consent purposes, one record per purpose per recording.
const (
	PurposeAssistance    = "assistance"
	PurposeNRMSubmission = "nrm_submission"
	PurposeDataSharing   = "data_sharing"
)

// OrgKindCompetentAuthority is the kind whose organisations decide on
// submitted cases.
const OrgKindCompetentAuthority = "competent_authority"

// DefaultShareWith are the organisation kinds a data_sharing consent
// covers when the record names none: the service providers.
var DefaultShareWith = []string{"health", "social_services", "ngo", "international_org"}

// DefaultRegions is the demo region list (Morocco's twelve regions);
// "abroad" is always accepted as well.
var DefaultRegions = []string{
	"MA-01", "MA-02", "MA-03", "MA-04", "MA-05", "MA-06",
	"MA-07", "MA-08", "MA-09", "MA-10", "MA-11", "MA-12",
}

//go:embed taxonomy/countries.txt
var countryList string

//go:embed taxonomy/languages.txt
var languageList string

func embeddedCodes(list string) []string {
	var out []string
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Fields(line)...)
	}
	return out
}
