package stats

import (
	"fmt"
	"regexp"
	"strconv"
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

// periodsOf returns the month, quarter and year a month belongs to: every
// fact is added to the aggregates of all three, so any period is one
// range read.
func periodsOf(month string) []string {
	if !monthRe.MatchString(month) {
		return nil
	}
	m, _ := strconv.Atoi(month[5:7])
	return []string{month, fmt.Sprintf("%s-Q%d", month[:4], (m+2)/3), month[:4]}
}
