package grantchange

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Topic is the outbox topic of grant revocations, in intake's outbox and
// in referral's.
const Topic = "grant"

// Reasons referral gives intake for revoking a candidate's grant.
const (
	ReasonDeclined  = "declined"  // the candidate declined the offer
	ReasonExpired   = "expired"   // the offer's deadline passed
	ReasonWithdrawn = "withdrawn" // the referral, or this offer, was withdrawn
)

// Reasons intake gives referral for a referral grant it revoked on its
// own decision; a revocation referral asked for is not told back.
const (
	ReasonConsentWithdrawn = "consent_withdrawn" // the person's consent no longer covers the provider
	ReasonPurged           = "purged"            // the retention purge ended every access to the case
	ReasonEnded            = "ended"             // the follow-up window after the service ended passed
	ReasonRevoked          = "revoked"           // revoked in intake otherwise (by the owner, a transfer)
)

// ReasonsFromReferral are the reasons a message from referral may give.
var ReasonsFromReferral = []string{ReasonDeclined, ReasonExpired, ReasonWithdrawn}

// ReasonsFromIntake are the reasons a message from intake may give;
// referral's own are still admitted: intake echoed them before, and such
// messages may wait in a deployed outbox.
var ReasonsFromIntake = []string{ReasonConsentWithdrawn, ReasonPurged, ReasonEnded, ReasonRevoked,
	ReasonDeclined, ReasonExpired, ReasonWithdrawn}

// Revocation names one referral grant revoked (from intake) or to revoke
// (from referral). A message is named by its outbox row (source and
// sequence) and applied by the grant's state, so it carries no id of its
// own: the "id" of messages written before is ignored when they are read
// (json.Unmarshal skips fields it does not know).
type Revocation struct {
	CaseID     string    `json:"case_id"`
	ReferralID string    `json:"referral_id"`
	OrgID      string    `json:"org_id"` // the grantee, the candidate provider
	GrantID    string    `json:"grant_id"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

// Validate checks the revocation holds ids and a known reason only;
// reasons are ReasonsFromIntake or ReasonsFromReferral, by the sender.
func (r Revocation) Validate(reasons []string) error {
	var bad []string
	for name, v := range map[string]string{"case_id": r.CaseID, "referral_id": r.ReferralID,
		"org_id": r.OrgID, "grant_id": r.GrantID} {
		if !isID(v) {
			bad = append(bad, name)
		}
	}
	if !slices.Contains(reasons, r.Reason) {
		bad = append(bad, "reason")
	}
	if r.At.IsZero() {
		bad = append(bad, "at")
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("grant revocation: bad %s", strings.Join(bad, ", "))
	}
	return nil
}

// isID: an opaque token (a UUID as the services make them), 1 to 128
// characters of letters, digits and "._:-"; no spaces, so no sentence.
func isID(s string) bool {
	if s == "" || len(s) > 128 {
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
