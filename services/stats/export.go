package stats

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
)

// HTCDSVersion is the version of the Human Trafficking Case Data Standard
// the export codes are checked against: the field standards file "HTCDS
// Field Standards 2.0" of IOM's UNMigration/HTCDS repository.
const HTCDSVersion = "2.0"

// htcdsFields maps a dimension to the HTCDS 2.0 field that holds its codes
// (docs/statistics.md). A dimension absent here has no HTCDS field.
var htcdsFields = map[string]string{
	"exploitation_type": "vic_TypeOfExploitation",
	"gender":            "prs_Gender",
	"nationality":       "prs_Citizenship",
	"first_responder":   "org_Type",
	"outcome":           "vic_TraffickingStatus", // decisions only
}

// htcds maps our codes to the value names of their HTCDS 2.0 field. A code
// absent from the map has no equivalent and is exported with an empty
// HTCDS column. Nationalities are ISO 3166-1 alpha-2 codes, as the field
// asks, and map to themselves.
var htcds = map[string]map[string]string{
	"exploitation_type": {
		"sexual":             "SexualExploitation",
		"labour":             "ForcedLabour",
		"domestic_servitude": "Servitude",
		"begging":            "ForcedBegging",
		"forced_marriage":    "ForcedMarriage",
		"organ_removal":      "OrganRemoval",
		"illegal_adoption":   "ForcedAdoption",
		"surrogacy":          "Surrogacy",
		"other":              "Other",
	},
	"gender": {
		"female":  "Feminine",
		"male":    "Masculine",
		"unknown": "NonSpecifiedUnknown",
	},
	"first_responder": {
		"police": "LawEnforcement",
		"ngo":    "NGO",
		"health": "HealthServiceOrganisation",
	},
	"outcome": {
		"rg_positive": "PossibleVictimOfTrafficking",
		"rg_negative": "NotAVictimOfTrafficking",
		"cg_positive": "ActualVictimOfTrafficking",
		"cg_negative": "NotAVictimOfTrafficking",
	},
}

// hasHTCDS says whether a dimension of a table has an HTCDS field.
func hasHTCDS(table, dimension string) bool {
	if dimension == "outcome" {
		return table == TableDecisionsOutcomeAge
	}
	_, ok := htcdsFields[dimension]
	return ok
}

// HTCDSCode returns the HTCDS 2.0 value of a value of a dimension, or "".
func HTCDSCode(dimension, value string) string {
	if dimension == "nationality" {
		if len(value) == 2 && value[0] >= 'A' && value[0] <= 'Z' && value[1] >= 'A' && value[1] <= 'Z' {
			return value
		}
		return ""
	}
	return htcds[dimension][value]
}

// CSV renders a table: one row per cell with its unit, dimension values
// ("total" for a margin), the HTCDS code of each value that has one, the
// value, and whether it is suppressed.
func CSV(t Table) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"unit"}
	for _, d := range t.Dimensions {
		header = append(header, d)
		if hasHTCDS(t.Name, d) {
			header = append(header, d+"_htcds")
		}
	}
	header = append(header, "value", "suppressed")
	if t.Median != "" {
		header = append(header, "median_"+t.Median, "median_suppressed")
	}
	if hasShares(t.Name) {
		header = append(header, "share_within_target")
	}
	if err := w.Write(header); err != nil {
		return nil, fmt.Errorf("stats: csv: %w", err)
	}
	for _, c := range t.Cells {
		row := []string{c.Unit}
		for i, d := range t.Dimensions {
			v := c.Dims[i]
			if v == total {
				v = "total"
			}
			row = append(row, v)
			if hasHTCDS(t.Name, d) {
				row = append(row, HTCDSCode(d, c.Dims[i]))
			}
		}
		row = append(row, optInt(c.Value), strconv.FormatBool(c.Suppressed))
		if t.Median != "" {
			row = append(row, optFloat(c.Median), strconv.FormatBool(c.MedianSuppressed))
		}
		if hasShares(t.Name) {
			row = append(row, optFloat(c.Share))
		}
		if err := w.Write(row); err != nil {
			return nil, fmt.Errorf("stats: csv: %w", err)
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func optInt(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

func optFloat(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
