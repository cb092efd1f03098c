package notice

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Topic is the outbox topic of notices.
const Topic = "notice"

// Kinds of notice. The list is closed: a receiver refuses any other.
const (
	// To a child's guardian (a user).
	KindGuardianAppointed = "guardian.appointed" // you are the guardian of this case
	KindGuardianReplaced  = "guardian.replaced"  // you are no longer its guardian
	KindCaseChanged       = "case.changed"       // Detail: what changed (the audited action)
	// To the national referral desk (role coordinator, no organisation).
	KindBoardNoProvider = "board.no_provider" // a referral found no provider, or ran out of time
	// To the national desk and the decision makers of the organisations
	// deciding either case: a registration met another case's identity
	// (Detail: the match's strength). Never to the registering officer.
	KindDuplicateMatch = "case.duplicate_match"
	// To the decision makers of the organisations deciding a case.
	KindDecisionDueSoon = "decision.due_soon" // Detail: rg or cg; Due: the target date
	KindDecisionOverdue = "decision.overdue"  // Detail: rg; Due: the missed date
	// To the owner organisation (and the national desk).
	KindPersonMissing = "case.person_missing"
	// To the organisations taking part in a referral (provider or sender).
	KindReferralPrefix = "referral."
	// To a user whose account was recovered, and to the administrators
	// (role org_admin) of its organisation (Detail: one of
	// AccountRecoveries; the object is the user).
	KindAccountRecovery = "account.recovery"
)

// Account recoveries told as KindAccountRecovery.
const (
	RecoverySecondFactorReset     = "second_factor_reset"     // an administrator reset it
	RecoverySecondFactorSuspended = "second_factor_suspended" // too many wrong codes
	RecoveryPasswordResetIssued   = "password_reset_issued"   // an administrator issued a reset token
	RecoveryPasswordReset         = "password_reset"          // the password was set with a reset token
	RecoveryEnrolmentTicketIssued = "enrolment_ticket_issued" // an administrator issued an enrolment ticket
	RecoveryEnabled               = "enabled"                 // an administrator re-enabled the account
)

// AccountRecoveries lists the details of KindAccountRecovery.
var AccountRecoveries = []string{RecoverySecondFactorReset, RecoverySecondFactorSuspended, RecoveryPasswordResetIssued,
	RecoveryPasswordReset, RecoveryEnrolmentTicketIssued, RecoveryEnabled}

// ReferralEvents are the referral events told to the organisations taking
// part: KindReferralPrefix + event.
var ReferralEvents = []string{"offered", "accepted", "declined", "expired", "withdrawn", "no_provider",
	"arrived", "completed", "left", "withdrawn_by_coordinator", "approval_requested", "placed_by_coordinator"}

var kinds = []string{KindGuardianAppointed, KindGuardianReplaced, KindCaseChanged, KindBoardNoProvider,
	KindDecisionDueSoon, KindDecisionOverdue, KindPersonMissing, KindDuplicateMatch, KindAccountRecovery}

// Kinds lists every kind a receiver accepts.
func Kinds() []string {
	out := slices.Clone(kinds)
	for _, e := range ReferralEvents {
		out = append(out, KindReferralPrefix+e)
	}
	return out
}

// Object types a notice may be about.
const (
	ObjectCase     = "case"
	ObjectReferral = "referral"
	ObjectUser     = "user" // an account, by its id
)

// RoleNationalDesk is the only role a notice without organisation may be
// addressed to: the mechanism's referral desk works nationally (its board
// lists every unsolved referral), so its notices belong to no one
// organisation.
const RoleNationalDesk = "coordinator"

// Notice is one notification. The recipient is a user of an organisation
// (User and Org), the users of a role in an organisation (Org and Role),
// every user of an organisation (Org alone), or the national desk (Role
// RoleNationalDesk alone).
type Notice struct {
	ID         string    `json:"id"` // the receiver keeps one notice per id
	Org        string    `json:"org_id,omitempty"`
	Role       string    `json:"role,omitempty"`
	User       string    `json:"user_id,omitempty"`
	Kind       string    `json:"kind"`
	Detail     string    `json:"detail,omitempty"` // a code refining Kind
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Due        string    `json:"due,omitempty"` // YYYY-MM-DD
	CreatedAt  time.Time `json:"created_at"`
}

// ID derives a notice id from the facts that make it unique (its kind,
// recipient, object and, for a deadline, the threshold), so that an
// emitter that runs twice emits the same id and the receiver keeps one.
func ID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8: custom
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// Validate checks the notice holds ids, codes and a date only, from the
// known kinds, with a recipient.
func (n Notice) Validate() error {
	var bad []string
	if !isID(n.ID) || n.ID == "" {
		bad = append(bad, "id")
	}
	if !slices.Contains(Kinds(), n.Kind) {
		bad = append(bad, "kind")
	}
	if !isCode(n.Detail) {
		bad = append(bad, "detail")
	}
	if n.Kind == KindAccountRecovery && (n.ObjectType != ObjectUser || !slices.Contains(AccountRecoveries, n.Detail)) {
		bad = append(bad, "detail")
	}
	if n.ObjectType != ObjectCase && n.ObjectType != ObjectReferral && n.ObjectType != ObjectUser {
		bad = append(bad, "object_type")
	}
	if !isID(n.ObjectID) || n.ObjectID == "" {
		bad = append(bad, "object_id")
	}
	if n.Due != "" {
		if _, err := time.Parse(time.DateOnly, n.Due); err != nil {
			bad = append(bad, "due")
		}
	}
	if n.CreatedAt.IsZero() {
		bad = append(bad, "created_at")
	}
	if !isID(n.Org) {
		bad = append(bad, "org_id")
	}
	if !isID(n.User) {
		bad = append(bad, "user_id")
	}
	if !isCode(n.Role) {
		bad = append(bad, "role")
	}
	switch {
	case n.Org == "" && (n.Role != RoleNationalDesk || n.User != ""):
		bad = append(bad, "recipient")
	case n.User != "" && n.Role != "":
		bad = append(bad, "recipient")
	}
	if len(bad) > 0 {
		return fmt.Errorf("notice: bad %s", strings.Join(bad, ", "))
	}
	return nil
}

// isID: an opaque token (a UUID as the services make them), at most 128
// characters of letters, digits and "._:-"; no spaces, so no sentence.
func isID(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("._:-", c) >= 0) {
			return false
		}
	}
	return true
}

// isCode: lower-case words joined by dots or underscores, at most 64.
func isCode(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
