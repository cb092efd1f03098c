package stats

import (
	"fmt"
	"github.com/nrm-project/nrm/services/stats/catalogue"
	"regexp"
	"slices"
	"time"
)

var periodRe = regexp.MustCompile(`^([0-9]{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$`)

// ParsePeriod checks a period: a month (2026-11), a quarter (2026-Q4) or
// a year (2026).
func ParsePeriod(s string) (string, error) {
	if !periodRe.MatchString(s) {
		return "", ErrBadPeriod
	}
	return s, nil
}

// monthsOf returns the months of a valid period.
func monthsOf(p string) []string {
	year := p[:4]
	first, n := 1, 12
	switch {
	case len(p) == 7 && p[5] == 'Q':
		first, n = 3*int(p[6]-'0')-2, 3
	case len(p) == 7:
		return []string{p}
	}
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprintf("%s-%02d", year, first+i)
	}
	return out
}

// overlapping returns every period that shares a month with p: p, the
// periods that contain it and those it contains.
func overlapping(p string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range monthsOf(p) {
		for _, q := range catalogue.PeriodsOf(m) {
			if !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	return out
}

// commonMonths returns the months two periods share.
func commonMonths(p, q string) []string {
	var out []string
	for _, m := range monthsOf(p) {
		if slices.Contains(monthsOf(q), m) {
			out = append(out, m)
		}
	}
	return out
}

// periodStatus says whether period had closed at t: final, or provisional.
func periodStatus(period string, t time.Time) string {
	months := monthsOf(period)
	last, err := time.Parse("2006-01", months[len(months)-1])
	if err == nil && !t.Before(last.AddDate(0, 1, 0)) {
		return StatusFinal
	}
	return StatusProvisional
}
