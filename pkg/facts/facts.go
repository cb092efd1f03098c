// Package facts defines the de-identified domain events that intake,
// the decision workflow and referral send to statistics on the outbox
// topic "stats". An event holds codes, months, durations and pseudonymous
// keys (HMAC of an id under the stats pseudonym subkey): never a name, a
// free text, an exact date or an id in clear. Statistics is fed by nothing
// else.
package facts

// Topic is the outbox topic of these events.
const Topic = "stats"

// Event types.
const (
	// intake
	Registered  = "registered"  // a case was registered (attributes below)
	Consent     = "consent"     // consent recorded (Purpose, Granted)
	Submitted   = "submitted"   // submitted to the competent authority
	Transferred = "transferred" // ownership moved (OrgKind: receiving)
	Linked      = "linked"      // LinkedKey is the same person (count once)

	// decision track
	Decided   = "decided"   // Outcome: rg_positive, rg_negative, cg_positive, cg_negative; DaysTaken, WithinTarget
	Withdrawn = "withdrawn" // the adult withdrew from the NRM
	Overdue   = "overdue"   // a decision passed its target date

	// children
	GuardianAppointed = "guardian_appointed" // DaysTaken: calendar days from identification to the appointment

	// referral
	ReferralCreated    = "referral_created"
	ReferralAccepted   = "referral_accepted"
	ReferralDeclined   = "referral_declined" // Outcome: the decline reason code
	ReferralExpired    = "referral_expired"
	ReferralNoProvider = "referral_no_provider" // an unmet need
	ReferralClosed     = "referral_closed"      // Outcome: completed, left, withdrawn
)

// Event is one de-identified domain event. Fields not relevant to a type
// are empty.
type Event struct {
	ID      string `json:"id"`   // event id (UUID), for idempotent receipt
	Type    string `json:"type"` // one of the constants above
	CaseKey string `json:"case_key"`
	Month   string `json:"month"` // YYYY-MM of the event

	// case attributes (registered; repeated on later events where useful)
	IdentifiedMonth      string   `json:"identified_month,omitempty"`
	Region               string   `json:"region,omitempty"`
	Gender               string   `json:"gender,omitempty"`
	AgeGroup             string   `json:"age_group,omitempty"`
	TreatedAsChild       *bool    `json:"treated_as_child,omitempty"`
	Nationalities        []string `json:"nationalities,omitempty"`
	ExploitationTypes    []string `json:"exploitation_types,omitempty"`
	ExploitationLocation string   `json:"exploitation_location,omitempty"`
	Indicators           []string `json:"indicators,omitempty"`
	Needs                []string `json:"needs,omitempty"`
	Route                string   `json:"route,omitempty"`
	OrgKind              string   `json:"org_kind,omitempty"` // first responder's kind (registering), or receiving on transfer
	Unaccompanied        bool     `json:"unaccompanied,omitempty"`
	ProtectionStatus     string   `json:"protection_status,omitempty"`

	// consent
	Purpose string `json:"purpose,omitempty"`
	Granted *bool  `json:"granted,omitempty"`

	// linked
	LinkedKey string `json:"linked_key,omitempty"`

	// decisions and referrals
	Outcome      string `json:"outcome,omitempty"`
	DaysTaken    *int   `json:"days_taken,omitempty"` // working days from submission (decisions)
	WithinTarget *bool  `json:"within_target,omitempty"`

	// referrals
	ReferralKey     string `json:"referral_key,omitempty"`
	Service         string `json:"service,omitempty"` // need / service type code
	Urgency         string `json:"urgency,omitempty"` // emergency, high, normal
	ResponseSeconds *int64 `json:"response_seconds,omitempty"`
	GroupSize       int    `json:"group_size,omitempty"`
}
