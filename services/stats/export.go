package stats

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
)

// htcds maps our codes to Human Trafficking Case Data Standard (HTCDS 2.0,
// as used in the CTDC global dataset) field codes, per dimension. A code
// absent from the map has no HTCDS equivalent and is exported with an
// empty HTCDS column (docs/statistics.md lists them).
var htcds = map[string]map[string]string{
	"exploitation_type": {
		"sexual":             "isSexualExploit",
		"labour":             "isForcedLabour",
		"domestic_servitude": "typeOfLabourDomesticWork",
		"begging":            "typeOfLabourBegging",
		"forced_marriage":    "isForcedMarriage",
		"organ_removal":      "isOrganRemoval",
		"other":              "isOtherExploit",
	},
	"gender": {
		"female": "Female",
		"male":   "Male",
	},
	"age_group": {
		"child": "Minor",
		"adult": "Adult",
	},
}

// HTCDSCode returns the HTCDS code of a value of a dimension, or "".
func HTCDSCode(dimension, value string) string { return htcds[dimension][value] }

// CSV renders a table: one row per cell with its unit, dimension values
// ("total" for a margin), the HTCDS code of each value that has one, the
// value, and whether it is suppressed.
func CSV(t Table) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"unit"}
	for _, d := range t.Dimensions {
		header = append(header, d)
		if _, ok := htcds[d]; ok {
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
			if _, ok := htcds[d]; ok {
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
