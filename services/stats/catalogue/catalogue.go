package catalogue

import (
	"slices"
	"strings"
)

// Table names of the fixed catalogue (docs/statistics.md).
const (
	TableCasesByAgeLocation    = "cases_by_age_location"
	TableExploitationGenderAge = "exploitation_gender_age"
	TableRegionResponder       = "region_responder"
	TableDecisionsOutcomeAge   = "decisions_outcome_age"
	TableDecisionTimeliness    = "decision_timeliness"
	TableReferralAcceptance    = "referral_acceptance"
	TableUnmetNeeds            = "unmet_needs"
	TableOverdueDecisions      = "overdue_decisions"
	TableCasesByNationality    = "cases_by_nationality"
	TableResponderExploitation = "responder_exploitation"
	TableChildren              = "children"
	TableDecisionTimesAge      = "decision_times_age"
	TableReferralOutcomes      = "referral_outcomes"
	TableCasesByProtectionAge  = "cases_by_protection_age"
	// Cell codes: a cell is its unit and one value per dimension, joined by
	// CellSep; Total stands for the margin.
	Total                       = "*" // a margin: every value of the dimension
	Unknown                     = "unknown"
	CellSep                     = "|"
	UnitCases, UnitPersons      = "cases", "persons"
	UnitDecisions, UnitInTarget = "decisions", "within_target"
)

// Dimension is one classifying variable of a table with its code list.
// Values seen in the data but not listed are added to the output grid.
type Dimension struct {
	Name  string   `json:"name"`
	Codes []string `json:"codes"`
	// Margin says whether the table carries a total over this dimension.
	Margin bool `json:"margin"`
}

// TableInfo describes a catalogue table.
type TableInfo struct {
	Name        string      `json:"name"`
	Title       string      `json:"title"`
	Units       []string    `json:"units"`
	Dimensions  []Dimension `json:"dimensions"`
	PeriodBasis string      `json:"period_basis"`
	// Median names what the cell medians measure ("" when none).
	Median string `json:"median,omitempty"`
	// Sensitivity is the most cells of one unit a single record can change
	// (inner cells only), used to scale differential-privacy noise.
	Sensitivity int `json:"dp_sensitivity"`
	// Family names the records the table counts (FamilyCases,
	// FamilyDecisions, FamilyReferrals): differential-privacy answers of
	// the tables of one family spend from one privacy ledger.
	Family string `json:"family"`
}

// Table families: the catalogue tables over the same records.
const (
	FamilyCases     = "cases"     // the cases identified in the period
	FamilyDecisions = "decisions" // the decisions taken (or due) in it
	FamilyReferrals = "referrals" // the referrals answered in it, and the unmet needs
)

// Code lists (DESIGN.md taxonomies).
var (
	AgeGroups     = []string{"child", "adult", Unknown}
	Genders       = []string{"female", "male", "other", Unknown}
	Locations     = []string{"in_country", "abroad", "both", Unknown}
	Exploitations = []string{"sexual", "labour", "domestic_servitude", "criminality", "begging", "forced_marriage",
		"organ_removal", "illegal_adoption", "surrogacy", "child_soldiering", "other"}
	OrgKinds = []string{"police", "labour_inspectorate", "border", "prosecution", "health", "social_services",
		"ngo", "international_org", "competent_authority", "commission", "oversight", Unknown}
	Services = []string{"shelter", "medical", "mental_health", "psychosocial", "legal_aid", "interpretation",
		"return_reintegration", "vocational_training", "employment", "child_protection", "documentation",
		"family_tracing", "material_assistance"}
	decisionOutcomes = []string{"rg_positive", "rg_negative", "cg_positive", "cg_negative", "withdrawn"}
	stages           = []string{"rg", "cg"}
	referralOutcomes = []string{"accepted", "declined", "expired"}
	DeclineReasons   = []string{"no_capacity", "outside_mandate", "outside_area", "client_refused",
		"unable_to_contact_client", "other"}
	// Outcomes of referral_outcomes: a declined referral is in "declined"
	// and in the cell of its reason.
	referralOutcomeCodes = append(append([]string{"accepted", "declined"}, prefixed("declined_", DeclineReasons)...),
		"expired", "no_provider")
	separations = []string{"unaccompanied", "accompanied"}
	// protectionStatuses are the international-protection status codes of
	// the registration (DESIGN.md), and unknown for a case without one.
	protectionStatuses = []string{"refugee", "asylum_seeker", "none", Unknown}
	guardianOutcome    = []string{"within_target", "later", "not_appointed"}
)

// NationalityOther groups the nationalities not published by name.
const NationalityOther = "other"

func prefixed(p string, codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = p + c
	}
	return out
}

// Tables returns the fixed catalogue with the configured regions.
func Tables(regions []string) []TableInfo {
	regions = append(slices.Clone(regions), Unknown)
	d := func(name string, codes []string, margin bool) Dimension {
		return Dimension{Name: name, Codes: codes, Margin: margin}
	}
	return []TableInfo{
		{Name: TableCasesByAgeLocation, Title: "Cases and persons identified, by age group and location of exploitation",
			Units: []string{UnitCases, UnitPersons}, PeriodBasis: "identification month",
			Dimensions:  []Dimension{d("age_group", AgeGroups, true), d("exploitation_location", Locations, true)},
			Sensitivity: 1, Family: FamilyCases},
		{Name: TableExploitationGenderAge, Title: "Cases and persons identified, by type of exploitation, gender and age group",
			Units: []string{UnitCases, UnitPersons}, PeriodBasis: "identification month",
			Dimensions: []Dimension{d("exploitation_type", Exploitations, true), d("gender", Genders, true),
				d("age_group", AgeGroups, true)},
			Sensitivity: len(Exploitations), Family: FamilyCases},
		{Name: TableRegionResponder, Title: "Cases and persons identified, by region and kind of first responder",
			Units: []string{UnitCases, UnitPersons}, PeriodBasis: "identification month",
			Dimensions:  []Dimension{d("region", regions, true), d("first_responder", OrgKinds, true)},
			Sensitivity: 1, Family: FamilyCases},
		{Name: TableDecisionsOutcomeAge, Title: "Decisions, by outcome and age group",
			Units: []string{UnitDecisions}, PeriodBasis: "decision month",
			Dimensions:  []Dimension{d("outcome", decisionOutcomes, true), d("age_group", AgeGroups, true)},
			Sensitivity: 1, Family: FamilyDecisions},
		{Name: TableDecisionTimeliness, Title: "Decision timeliness: decisions, decisions within target and median working days",
			Units: []string{UnitDecisions, UnitInTarget}, PeriodBasis: "decision month", Median: "working_days",
			Dimensions:  []Dimension{d("stage", stages, false)},
			Sensitivity: 1, Family: FamilyDecisions},
		{Name: TableReferralAcceptance, Title: "Referral answers (accepted, declined, expired) and median hours to accept, by service and region",
			Units: []string{"referrals"}, PeriodBasis: "month of the answer", Median: "hours_to_accept",
			Dimensions: []Dimension{d("service", Services, true), d("region", regions, true),
				d("outcome", referralOutcomes, true)},
			Sensitivity: 1, Family: FamilyReferrals},
		{Name: TableUnmetNeeds, Title: "Unmet needs: referrals for which no provider was found, by service and region",
			Units: []string{"unmet_needs"}, PeriodBasis: "month of the event",
			Dimensions:  []Dimension{d("service", Services, true), d("region", regions, true)},
			Sensitivity: 1, Family: FamilyReferrals},
		{Name: TableOverdueDecisions, Title: "Decisions that passed their target date, by stage and region",
			Units: []string{"overdue"}, PeriodBasis: "month of the event",
			Dimensions:  []Dimension{d("stage", append(slices.Clone(stages), Unknown), true), d("region", regions, true)},
			Sensitivity: 1, Family: FamilyDecisions},
		{Name: TableCasesByNationality, Title: "Cases and persons identified, by nationality (the first listed; the most frequent by name, the rest grouped) and age group",
			Units: []string{UnitCases, UnitPersons}, PeriodBasis: "identification month",
			Dimensions:  []Dimension{d("nationality", []string{NationalityOther, Unknown}, true), d("age_group", AgeGroups, true)},
			Sensitivity: 1, Family: FamilyCases},
		{Name: TableResponderExploitation, Title: "Cases and persons identified, by kind of first responder and type of exploitation",
			Units: []string{UnitCases, UnitPersons}, PeriodBasis: "identification month",
			Dimensions:  []Dimension{d("first_responder", OrgKinds, true), d("exploitation_type", Exploitations, true)},
			Sensitivity: len(Exploitations), Family: FamilyCases},
		{Name: TableChildren, Title: "Children identified (including those presumed to be children), unaccompanied or separated, and whether a guardian was appointed within the target",
			Units: []string{"children"}, PeriodBasis: "identification month",
			Dimensions:  []Dimension{d("separation", separations, true), d("guardian", guardianOutcome, true)},
			Sensitivity: 1, Family: FamilyCases},
		{Name: TableDecisionTimesAge, Title: "Decision times by age group: decisions, decisions within target and median working days to the reasonable-grounds and conclusive-grounds decisions",
			Units: []string{UnitDecisions, UnitInTarget}, PeriodBasis: "decision month", Median: "working_days",
			Dimensions:  []Dimension{d("stage", stages, false), d("age_group", AgeGroups, true)},
			Sensitivity: 1, Family: FamilyDecisions},
		{Name: TableReferralOutcomes, Title: "Referral outcomes: accepted, declined (in total and by reason), expired and no provider found, by service and region",
			Units: []string{"referrals"}, PeriodBasis: "month of the answer or of the event",
			Dimensions: []Dimension{d("service", Services, true), d("region", regions, true),
				d("outcome", referralOutcomeCodes, true)},
			Sensitivity: 2, Family: FamilyReferrals},
		{Name: TableCasesByProtectionAge, Title: "Cases and persons identified, by international-protection status and age group",
			Units: []string{UnitCases, UnitPersons}, PeriodBasis: "identification month",
			Dimensions:  []Dimension{d("protection_status", protectionStatuses, true), d("age_group", AgeGroups, true)},
			Sensitivity: 1, Family: FamilyCases},
	}
}

// ProtectionCode keeps a registration's protection status when it is a
// code of the list, and otherwise stores none ("", counted as unknown):
// statistics never stores free text.
func ProtectionCode(s string) string {
	if s != Unknown && slices.Contains(protectionStatuses, s) {
		return s
	}
	return ""
}

// Contribution is one record's part of one cell: the record's key, and
// the value it adds to the cell's histogram (-1: none). Subject is the
// case key the record belongs to, which release control counts.
type Contribution struct {
	Table, Month, Cell string
	Record, Subject    string
	Key                uint32
	Value              int
}

// ContribKey names a Contribution: one record's part of one cell.
type ContribKey struct{ Table, Month, Cell, Record string }

// cells returns every cell a record with the given dimension values falls
// in: each combination of one value (or the margin) per dimension. A
// multi-valued dimension counts the record once in its margin.
func cells(unit string, values [][]string, margins []bool) []string {
	out := []string{unit}
	for i, vs := range values {
		opts := slices.Clone(vs)
		if len(opts) == 0 {
			opts = []string{Unknown}
		}
		if margins[i] {
			opts = append(opts, Total)
		}
		next := make([]string, 0, len(out)*len(opts))
		for _, prefix := range out {
			for _, v := range opts {
				next = append(next, prefix+CellSep+v)
			}
		}
		out = next
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

// broadAge maps an age group code, banded or not, to child, adult or unknown.
func broadAge(s string) string {
	switch {
	case strings.HasPrefix(s, "child"):
		return "child"
	case strings.HasPrefix(s, "adult"):
		return "adult"
	}
	return Unknown
}

// stageOf returns the decision stage of an outcome code.
func stageOf(outcome string) string {
	switch {
	case strings.HasPrefix(outcome, "rg"):
		return "rg"
	case strings.HasPrefix(outcome, "cg"):
		return "cg"
	}
	return Unknown
}
