package casefile

import (
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// KeyStatus is the state of an organisation's key ring as its
// administrators follow rotations: counts and dates, never a key and
// nothing about a person.
type KeyStatus struct {
	OrgID   string `json:"org_id"`
	Kind    string `json:"kind"`    // the identity kind (x25519 or the post-quantum hybrid)
	Version int    `json:"version"` // the active version
	// CreatedAt is when the organisation's first identity was made;
	// RotatedAt when the active one was, once rotated at least once.
	CreatedAt time.Time  `json:"created_at"`
	RotatedAt *time.Time `json:"rotated_at,omitempty"`
	// Retired counts older identities kept until nothing needs them.
	Retired int `json:"retired"`
	// PendingRewrap counts wraps and entry keys still under an older
	// identity: a rotation not finished (nrm keys rotate resumes it).
	PendingRewrap int `json:"pending_rewrap"`
}

// Disclosure is one recorded disclosure outside the system.
type Disclosure struct {
	ID            string    `json:"id"`
	CaseID        string    `json:"case_id"`
	OrgID         string    `json:"org_id"`
	UserID        string    `json:"user_id"`
	RecipientKind string    `json:"recipient_kind"`
	LegalBasis    string    `json:"legal_basis"`
	Sections      []string  `json:"sections"`
	DisclosedAt   time.Time `json:"disclosed_at"`
}

// Break-glass states.
const (
	BreakGlassOpen    = "open"
	BreakGlassExpired = "expired"
)

// BreakGlass is one emergency access: who, when, until when, and its
// review. The reason is a sealed entry, never here.
type BreakGlass struct {
	ID          string     `json:"id"`
	CaseID      string     `json:"case_id"`
	OrgID       string     `json:"org_id"`
	UserID      string     `json:"user_id"`
	GrantID     string     `json:"grant_id"`
	ReasonEntry string     `json:"reason_entry"`
	Status      string     `json:"status"`
	OpenedAt    time.Time  `json:"opened_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	ReviewedBy  string     `json:"reviewed_by,omitempty"`
	ReviewCode  string     `json:"review_code,omitempty"`
	ReviewedAt  *time.Time `json:"reviewed_at,omitempty"`
}

// An emergency access is a grant of purpose PurposeBreakGlass made by
// intake itself (GrantedByIntake) on the owner's behalf; its stated reason
// is a sealed entry of type EntryBreakGlassReason.
const (
	PurposeBreakGlass     = "break_glass"
	EntryBreakGlassReason = "break_glass_reason"
	GrantedByIntake       = "intake"
)

// CodeBreakGlassActive answers an act an emergency access never allows.
const CodeBreakGlassActive = "break_glass_active"

// ErrBreakGlassActive refuses transfer, referral, disclosure and export to
// a user whose emergency access to the case is open.
var ErrBreakGlassActive = kit.NewError(http.StatusForbidden, CodeBreakGlassActive,
	"not allowed while your emergency access to this case is open")

// Retention classes. Every data key is wrapped inside a group locked by
// its case's key for the class (keys.CaseKeys, in the key directory, never
// in the database); purging a class destroys that key, so the data it
// locked cannot be read back from any copy of the database, old backups
// included. What a class holds:
//   - identity: the identity section, kept with the decision record when
//     the case has a decision;
//   - support: the narrative, health and legal sections and the support
//     entries (notes, services, plans, interviews, corrections,
//     assessments, break-glass reasons);
//   - decision: decision reasons and letters, kept;
//   - attachment: attachments, on their own period.
const (
	RetentionIdentity   = "identity"
	RetentionSupport    = "support"
	RetentionDecision   = "decision"
	RetentionAttachment = "attachment"
)

// SectionClass is the retention class of a section.
func SectionClass(name string) string {
	if name == SectionIdentity {
		return RetentionIdentity
	}
	return RetentionSupport
}

// EntryClass is the retention class of an entry of type typ, as written.
func EntryClass(typ string) string {
	switch typ {
	case EntryDecision, EntryLetter:
		return RetentionDecision
	case EntryAttachment:
		return RetentionAttachment
	}
	return RetentionSupport
}
