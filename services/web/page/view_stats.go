package page

import (
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/services/stats"
)

func init() {
	// Places still free of a service, never below zero.
	funcs["free"] = func(places, used int) int { return max(places-used, 0) }
	funcs["secondsDur"] = func(s *int64) time.Duration {
		if s == nil {
			return 0
		}
		return time.Duration(*s) * time.Second
	}
}

// StatsTotal is the code of a margin: every value of a dimension.
const StatsTotal = "*"

// statDims maps a statistics dimension to the message prefix of its
// codes; a dimension absent here shows its codes as they are (ISO
// country codes of nationalities).
var statDims = map[string]string{
	"age_group": "age_group", "exploitation_location": "location", "exploitation_type": "exploitation",
	"gender": "gender", "region": "region", "first_responder": "orgkind", "stage": "stage", "service": "need",
	"separation": "separation", "guardian": "guardianout", "protection_status": "protection",
}

// StatCode translates a value of a statistics dimension.
func (v *View) StatCode(dim, code string) string {
	switch {
	case code == StatsTotal:
		return v.T("stats.total")
	case code == "unknown":
		return v.T("stats.unknown")
	case dim == "outcome" && strings.HasPrefix(code, "declined_"):
		return v.T("refoutcome.declined_reason", v.Code("decline", strings.TrimPrefix(code, "declined_")))
	case dim == "outcome" && (code == "accepted" || code == "declined" || code == "expired" || code == "no_provider"):
		return v.T("refoutcome." + code)
	case dim == "outcome":
		return v.Code("decision", code)
	case dim == "nationality" && code == "other":
		return v.T("stats.nationality.other")
	}
	if p, ok := statDims[dim]; ok {
		return v.Code(p, code)
	}
	return code
}

// DimName, UnitName and TableTitle translate the names of a table.
func (v *View) DimName(dim string) string     { return v.T("dim." + dim) }
func (v *View) UnitName(unit string) string   { return v.T("unit." + unit) }
func (v *View) TableTitle(name string) string { return v.T("table." + name) }

// Num64 formats a published figure for the locale.
func (v *View) Num64(n int64) string { return v.loc.p.Sprintf("%d", n) }

// Median formats a median (working days or hours) with one decimal at most.
func (v *View) Median(m *float64) string {
	if m == nil {
		return ""
	}
	return strconv.FormatFloat(*m, 'f', -1, 64)
}

// Percent formats a share as a whole percentage.
func (v *View) Percent(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.Itoa(int(*s*100+0.5)) + "%"
}

// PeriodLabel names a period (2026, 2026-Q4, 2026-11) in the locale.
func (v *View) PeriodLabel(p string) string {
	switch {
	case len(p) == 4:
		return p
	case len(p) == 7 && p[5] == 'Q':
		return v.T("period.quarter", p[6:], p[:4])
	case len(p) == 7:
		m, err := strconv.Atoi(p[5:])
		if err != nil || m < 1 || m > 12 {
			return p
		}
		return v.loc.month[m-1] + " " + p[:4]
	}
	return p
}

// Status translates a release status (provisional, final).
func (v *View) Status(s string) string {
	if s == "" {
		return v.T("releases.nostatus")
	}
	return v.T("releases.status." + s)
}

// DateTime formats an instant (UTC) for the locale.
func (v *View) DateTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return v.T("releases.notrecorded")
	}
	u := t.UTC()
	return v.Date(u) + " " + u.Format("15:04") + " UTC"
}

func init() {
	funcs["deref"] = func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
}

func init() {
	funcs["ptime"] = func(t time.Time) *time.Time { return &t }
	// withheld keeps the tables a release withheld.
	funcs["withheld"] = func(ts []stats.ReleasedTable) []stats.ReleasedTable {
		var out []stats.ReleasedTable
		for _, t := range ts {
			if t.Status == stats.StatusWithheld {
				out = append(out, t)
			}
		}
		return out
	}
}
