package chaos

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Summary is what one run on one engine found.
type Summary struct {
	Engine  string  `json:"engine"`
	Seed    uint64  `json:"seed"`
	Seconds float64 `json:"seconds"`
	WorkDir string  `json:"work_dir,omitempty"`

	// Faults injected.
	Kills           int       `json:"kills"`
	RestartSeconds  []float64 `json:"restart_seconds,omitempty"`
	PGRestarts      int       `json:"pg_restarts"`
	AuditStalls     int       `json:"audit_stalls"`
	AuditStall      string    `json:"audit_stall_how,omitempty"`
	DiskFills       int       `json:"disk_fills"`
	DiskFill        string    `json:"disk_fill_how,omitempty"`
	UnexpectedExits int       `json:"unexpected_exits"`

	Idempotency          string `json:"idempotency"`
	IdempotencySupported bool   `json:"idempotency_supported"`

	// Registrations: each one body and one key, retried until answered.
	Registrations        int `json:"registrations"`
	Acknowledged         int `json:"acknowledged_registrations"`
	Retries              int `json:"retries_of_acknowledged"`
	GaveUp               int `json:"gave_up"`
	Refused              int `json:"refused"`
	Lost                 int `json:"lost"`
	Mismatched           int `json:"mismatched"`
	CasesStored          int `json:"cases_stored"`
	Duplicates           int `json:"duplicates_from_retries"`
	StoredUnacknowledged int `json:"stored_unacknowledged"`
	Unidentified         int `json:"unidentified_cases"`

	// Referrals: each case referred once, retried with one key.
	ReferralsAcknowledged int `json:"acknowledged_referrals"`
	ReferralDuplicates    int `json:"referral_duplicates_from_retries"`

	// Reads: every 200 on a case, including the checks' own reads.
	ReadsAcknowledged int `json:"acknowledged_reads"`
	Unaudited         int `json:"unaudited_reads"`

	AuditVerifyExit int    `json:"audit_verify_exit"`
	AuditVerify     string `json:"audit_verify"`

	IntakeCases int  `json:"intake_cases"`
	StatsCases  int  `json:"stats_cases"`
	StatsEqual  bool `json:"stats_equal"`

	// Answers the client got, by kind and status ("read 500 internal").
	Status             map[string]int `json:"status"`
	Non503ServerErrors int            `json:"server_errors_not_503"`
	RefusedTokens      int            `json:"refused_valid_tokens"`

	Failures []string `json:"failures,omitempty"`
}

// Violations are the invariants a run broke; none means it passed.
func (s *Summary) Violations() []string {
	var v []string
	if s.Lost > 0 {
		v = append(v, fmt.Sprintf("%d acknowledged writes lost", s.Lost))
	}
	if s.Mismatched > 0 {
		v = append(v, fmt.Sprintf("%d acknowledged writes read back different", s.Mismatched))
	}
	if s.Unaudited > 0 {
		v = append(v, fmt.Sprintf("%d acknowledged reads without their audit event", s.Unaudited))
	}
	if s.AuditVerifyExit != 0 {
		v = append(v, fmt.Sprintf("nrm audit verify exit %d: %s", s.AuditVerifyExit, s.AuditVerify))
	}
	if !s.StatsEqual {
		v = append(v, fmt.Sprintf("statistics hold %d registered cases for %d cases", s.StatsCases, s.IntakeCases))
	}
	if s.IdempotencySupported && s.Duplicates+s.ReferralDuplicates > 0 {
		v = append(v, fmt.Sprintf("%d duplicates from retries with an idempotency key the server honours", s.Duplicates+s.ReferralDuplicates))
	}
	if s.Unidentified > 0 {
		v = append(v, fmt.Sprintf("%d cases no registration of this run made", s.Unidentified))
	}
	if s.Acknowledged == 0 {
		v = append(v, "no registration was acknowledged: the run proved nothing")
	}
	return v
}

// PrintTable writes the summaries side by side for a human.
func PrintTable(w io.Writer, sums []*Summary) {
	rows := []struct {
		name string
		val  func(*Summary) string
	}{
		{"seconds", func(s *Summary) string { return fmt.Sprintf("%.0f", s.Seconds) }},
		{"SIGKILL rounds", func(s *Summary) string { return fmt.Sprint(s.Kills) }},
		{"restart to ready, median s", func(s *Summary) string { return fmt.Sprintf("%.2f", median(s.RestartSeconds)) }},
		{"PostgreSQL restarts", func(s *Summary) string { return fmt.Sprint(s.PGRestarts) }},
		{"audit stalls", func(s *Summary) string { return fmt.Sprint(s.AuditStalls) }},
		{"disk fills", func(s *Summary) string { return fmt.Sprint(s.DiskFills) }},
		{"unexpected exits", func(s *Summary) string { return fmt.Sprint(s.UnexpectedExits) }},
		{"idempotency keys honoured", func(s *Summary) string { return fmt.Sprint(s.IdempotencySupported) }},
		{"registrations", func(s *Summary) string { return fmt.Sprint(s.Registrations) }},
		{"acknowledged registrations", func(s *Summary) string { return fmt.Sprint(s.Acknowledged) }},
		{"retries (acknowledged ones)", func(s *Summary) string { return fmt.Sprint(s.Retries) }},
		{"gave up / refused", func(s *Summary) string { return fmt.Sprintf("%d / %d", s.GaveUp, s.Refused) }},
		{"LOST writes (must be 0)", func(s *Summary) string { return fmt.Sprint(s.Lost) }},
		{"read back different (must be 0)", func(s *Summary) string { return fmt.Sprint(s.Mismatched) }},
		{"cases stored", func(s *Summary) string { return fmt.Sprint(s.CasesStored) }},
		{"duplicates from retries", func(s *Summary) string { return fmt.Sprint(s.Duplicates) }},
		{"acknowledged referrals", func(s *Summary) string { return fmt.Sprint(s.ReferralsAcknowledged) }},
		{"referral duplicates from retries", func(s *Summary) string { return fmt.Sprint(s.ReferralDuplicates) }},
		{"stored, never acknowledged", func(s *Summary) string { return fmt.Sprint(s.StoredUnacknowledged) }},
		{"acknowledged reads", func(s *Summary) string { return fmt.Sprint(s.ReadsAcknowledged) }},
		{"UNAUDITED reads (must be 0)", func(s *Summary) string { return fmt.Sprint(s.Unaudited) }},
		{"nrm audit verify exit", func(s *Summary) string { return fmt.Sprint(s.AuditVerifyExit) }},
		{"stats cases / intake cases", func(s *Summary) string { return fmt.Sprintf("%d / %d", s.StatsCases, s.IntakeCases) }},
		{"5xx other than 503", func(s *Summary) string { return fmt.Sprint(s.Non503ServerErrors) }},
		{"valid tokens refused (401)", func(s *Summary) string { return fmt.Sprint(s.RefusedTokens) }},
	}
	fmt.Fprintf(w, "%-34s", "")
	for _, s := range sums {
		fmt.Fprintf(w, " %14s", s.Engine)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "%-34s", r.name)
		for _, s := range sums {
			fmt.Fprintf(w, " %14s", r.val(s))
		}
		fmt.Fprintln(w)
	}
	for _, s := range sums {
		keys := make([]string, 0, len(s.Status))
		for k := range s.Status {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %d", k, s.Status[k])
		}
		fmt.Fprintf(w, "%s answers: %s\n", s.Engine, strings.Join(parts, "; "))
		for _, f := range s.Failures {
			fmt.Fprintf(w, "%s: %s\n", s.Engine, f)
		}
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}
