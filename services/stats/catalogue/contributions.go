package catalogue

import (
	"cmp"
	"slices"

	"github.com/nrm-project/nrm/pkg/facts"
)

// CaseFact is what statistics holds about one case key: coarse attributes
// from its registration and its record key. Registered is false for a key
// known only from later events (they may arrive first).
type CaseFact struct {
	Key             string
	RecordKey       uint32
	Registered      bool
	RegEvent        string
	IdentifiedMonth string
	Region          string
	Gender          string
	AgeGroup        string
	Location        string
	OrgKind         string
	Route           string
	Types           []string
	// Nationality is the first nationality listed at registration.
	Nationality    string
	TreatedAsChild bool
	Unaccompanied  bool
	// Protection is the international-protection status code ("" when
	// none was given or the code is not in the list).
	Protection string
}

// EventFact is a decision, overdue or referral event, each its own record.
type EventFact struct {
	ID, CaseKey, Type, Month string
	RecordKey                uint32
	Outcome                  string
	Days                     *int
	WithinTarget             *bool
	ReferralKey, Service     string
	ResponseSeconds          *int64
}

// Component is a set of case keys with their events and the links among
// them; it may hold several persons (before a link joins them).
type Component struct {
	Cases  []CaseFact
	Events []EventFact
	Links  [][2]string
}

// representatives returns, per person (a connected set of linked case
// keys, union-find over the links), the case the person is counted under:
// the registered case identified first, ties broken by key, so the choice
// depends only on the facts, not on their order of arrival.
func (c Component) representatives() map[string]bool {
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok || p == k {
			parent[k] = k
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	for _, l := range c.Links {
		a, b := find(l[0]), find(l[1])
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	best := map[string]CaseFact{}
	for _, x := range c.Cases {
		if !x.Registered || x.IdentifiedMonth == "" {
			continue
		}
		r := find(x.Key)
		if b, ok := best[r]; !ok || cmp.Or(cmp.Compare(x.IdentifiedMonth, b.IdentifiedMonth), cmp.Compare(x.Key, b.Key)) < 0 {
			best[r] = x
		}
	}
	out := map[string]bool{}
	for _, x := range best {
		out[x.Key] = true
	}
	return out
}

// Contributions returns every cell part the component's facts make. It is
// a pure function of the facts: the receiver applies the difference
// between the parts before and after a fact changes.
func Contributions(c Component, guardianTarget int) map[ContribKey]Contribution {
	// A registration makes about 40 parts (three tables, two units).
	out := make(map[ContribKey]Contribution, 48*len(c.Cases)+8*len(c.Events))
	add := func(table, month, record, subject string, key uint32, value int, cs []string) {
		for _, cell := range cs {
			k := ContribKey{table, month, cell, record}
			out[k] = Contribution{Table: table, Month: month, Cell: cell, Record: record, Subject: subject, Key: key, Value: value}
		}
	}
	all := []bool{true, true, true}
	byKey := map[string]CaseFact{}
	reps := c.representatives()
	for _, x := range c.Cases {
		byKey[x.Key] = x
		if !x.Registered || x.IdentifiedMonth == "" {
			continue
		}
		units := []string{UnitCases}
		if reps[x.Key] {
			units = append(units, UnitPersons)
		}
		age, types := broadAge(x.AgeGroup), x.Types
		for _, u := range units {
			rec := "c:" + x.Key
			if u == UnitPersons {
				rec = "p:" + x.Key
			}
			add(TableCasesByAgeLocation, x.IdentifiedMonth, rec, x.Key, x.RecordKey, -1,
				cells(u, [][]string{{age}, {orUnknown(x.Location)}}, all))
			add(TableExploitationGenderAge, x.IdentifiedMonth, rec, x.Key, x.RecordKey, -1,
				cells(u, [][]string{types, {orUnknown(x.Gender)}, {age}}, all))
			add(TableRegionResponder, x.IdentifiedMonth, rec, x.Key, x.RecordKey, -1,
				cells(u, [][]string{{orUnknown(x.Region)}, {orUnknown(x.OrgKind)}}, all))
			add(TableCasesByNationality, x.IdentifiedMonth, rec, x.Key, x.RecordKey, -1,
				cells(u, [][]string{{orUnknown(x.Nationality)}, {age}}, all))
			add(TableResponderExploitation, x.IdentifiedMonth, rec, x.Key, x.RecordKey, -1,
				cells(u, [][]string{{orUnknown(x.OrgKind)}, types}, all))
			add(TableCasesByProtectionAge, x.IdentifiedMonth, rec, x.Key, x.RecordKey, -1,
				cells(u, [][]string{{orUnknown(x.Protection)}, {age}}, all))
		}
		if age == "child" || x.TreatedAsChild {
			sep := "accompanied"
			if x.Unaccompanied {
				sep = "unaccompanied"
			}
			add(TableChildren, x.IdentifiedMonth, "c:"+x.Key, x.Key, x.RecordKey, -1,
				cells("children", [][]string{{sep}, {guardianOf(c.Events, x.Key, guardianTarget)}}, all))
		}
	}
	referrals := map[string][]EventFact{}
	for _, e := range c.Events {
		cf := byKey[e.CaseKey]
		rec := "e:" + e.ID
		switch e.Type {
		case facts.Decided, facts.Withdrawn:
			outcome := e.Outcome
			if e.Type == facts.Withdrawn {
				outcome = "withdrawn"
			}
			add(TableDecisionsOutcomeAge, e.Month, rec, e.CaseKey, e.RecordKey, -1,
				cells(UnitDecisions, [][]string{{orUnknown(outcome)}, {broadAge(cf.AgeGroup)}}, all))
			stage := stageOf(outcome)
			if e.Type == facts.Withdrawn || stage == Unknown {
				continue
			}
			days := -1
			if e.Days != nil && *e.Days >= 0 {
				days = min(*e.Days, maxHistValue)
			}
			add(TableDecisionTimeliness, e.Month, rec, e.CaseKey, e.RecordKey, days, []string{UnitDecisions + CellSep + stage})
			age := []string{broadAge(cf.AgeGroup)}
			add(TableDecisionTimesAge, e.Month, rec, e.CaseKey, e.RecordKey, days, cells(UnitDecisions, [][]string{{stage}, age}, noStageMargin))
			if e.WithinTarget != nil && *e.WithinTarget {
				add(TableDecisionTimeliness, e.Month, rec, e.CaseKey, e.RecordKey, -1, []string{UnitInTarget + CellSep + stage})
				add(TableDecisionTimesAge, e.Month, rec, e.CaseKey, e.RecordKey, -1, cells(UnitInTarget, [][]string{{stage}, age}, noStageMargin))
			}
		case facts.Overdue:
			add(TableOverdueDecisions, e.Month, rec, e.CaseKey, e.RecordKey, -1,
				cells("overdue", [][]string{{stageOf(e.Outcome)}, {orUnknown(cf.Region)}}, all))
		case facts.ReferralNoProvider:
			// Counted in the month no provider was found, and kept there if
			// the referral is placed later: the table counts routing's
			// failures, not needs still unmet (docs/statistics.md).
			add(TableUnmetNeeds, e.Month, rec, e.CaseKey, e.RecordKey, -1,
				cells("unmet_needs", [][]string{{orUnknown(e.Service)}, {orUnknown(cf.Region)}}, all))
			add(TableReferralOutcomes, e.Month, rec, e.CaseKey, e.RecordKey, -1,
				cells("referrals", [][]string{{orUnknown(e.Service)}, {orUnknown(cf.Region)}, {"no_provider"}}, all))
		case facts.ReferralCreated, facts.ReferralAccepted, facts.ReferralDeclined, facts.ReferralExpired:
			if e.ReferralKey != "" {
				referrals[e.ReferralKey] = append(referrals[e.ReferralKey], e)
			}
		}
	}
	for rk, es := range referrals {
		slices.SortFunc(es, func(a, b EventFact) int { return cmp.Compare(a.ID, b.ID) })
		term, outcome, ok := referralAnswer(es)
		if !ok {
			continue
		}
		service := ""
		for _, e := range es {
			if e.Service != "" {
				service = e.Service
				break
			}
		}
		hours := -1
		if outcome == "accepted" && term.ResponseSeconds != nil && *term.ResponseSeconds >= 0 {
			hours = int(min((*term.ResponseSeconds+3599)/3600, maxHistValue))
		}
		region := orUnknown(byKey[term.CaseKey].Region)
		add(TableReferralAcceptance, term.Month, "r:"+rk, term.CaseKey, term.RecordKey, hours,
			cells("referrals", [][]string{{orUnknown(service)}, {region}, {outcome}}, all))
		outcomes := []string{outcome}
		if outcome == "declined" {
			outcomes = append(outcomes, "declined_"+declineReason(term.Outcome))
		}
		add(TableReferralOutcomes, term.Month, "r:"+rk, term.CaseKey, term.RecordKey, -1,
			cells("referrals", [][]string{{orUnknown(service)}, {region}, outcomes}, all))
	}
	return out
}

// noStageMargin: decision stages are not added up (a case has both).
var noStageMargin = []bool{false, true}

// declineReason returns a decline's reason code, "other" for a code not in
// the taxonomy.
func declineReason(code string) string {
	if slices.Contains(DeclineReasons, code) {
		return code
	}
	return "other"
}

// guardianOf says whether a child's guardian was appointed within target
// days of identification, later, or not (yet): the earliest appointment
// counts.
func guardianOf(events []EventFact, caseKey string, target int) string {
	first := -1
	for _, e := range events {
		if e.Type != facts.GuardianAppointed || e.CaseKey != caseKey || e.Days == nil {
			continue
		}
		if d := max(*e.Days, 0); first < 0 || d < first {
			first = d
		}
	}
	switch {
	case first < 0:
		return "not_appointed"
	case first <= target:
		return "within_target"
	}
	return "later"
}

// maxHistValue caps durations kept in the per-cell histograms.
const maxHistValue = 1000

// referralAnswer returns the event that answered a referral: an acceptance
// wins over a decline, a decline over an expiry, and among equals the
// smallest event id, so duplicates and order do not matter.
func referralAnswer(es []EventFact) (EventFact, string, bool) {
	for _, want := range []struct{ typ, outcome string }{
		{facts.ReferralAccepted, "accepted"}, {facts.ReferralDeclined, "declined"}, {facts.ReferralExpired, "expired"},
	} {
		for _, e := range es {
			if e.Type == want.typ {
				return e, want.outcome, true
			}
		}
	}
	return EventFact{}, "", false
}
