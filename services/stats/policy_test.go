package stats

import "testing"

func TestPeriods(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"2026": true, "2026-Q4": true, "2026-11": true, "2026-Q5": false, "2026-00": false, "26": false, "2026-11-01": false} {
		if _, err := ParsePeriod(in); (err == nil) != ok {
			t.Errorf("ParsePeriod(%q) = %v", in, err)
		}
	}
	if got := periodsOf("2026-11"); len(got) != 3 || got[1] != "2026-Q4" || got[2] != "2026" {
		t.Errorf("periodsOf = %v", got)
	}
}
