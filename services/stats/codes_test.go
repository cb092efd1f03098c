package stats

import (
	"regexp"
	"strings"
	"testing"
)

// TestIsMonthIsCodeMatchRegexps: the hand-written checks accept exactly what
// the rules, written as regular expressions, accept.
func TestIsMonthIsCodeMatchRegexps(t *testing.T) {
	t.Parallel()
	monthRe := regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	codeRe := regexp.MustCompile(`^[A-Za-z0-9._:-]{0,128}$`)
	for _, s := range []string{"", "2026-01", "2026-12", "2026-13", "2026-00", "2026-1", "202a-01", "2026_01", "20260-1", "2026-011", "abc", "a.b:c-d_e", "a b", "é", "x/y", strings.Repeat("a", 128), strings.Repeat("a", 129), "AZaz09", "2026-10"} {
		if isMonth(s) != monthRe.MatchString(s) {
			t.Errorf("isMonth(%q) = %v", s, isMonth(s))
		}
		if isCode(s) != codeRe.MatchString(s) {
			t.Errorf("isCode(%q) = %v", s, isCode(s))
		}
	}
}
