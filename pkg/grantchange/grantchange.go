package grantchange

import (
	"crypto/sha256"
	"encoding/hex"
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

// Reasons intake gives referral for a referral grant it revoked; a
// revocation referral asked for comes back with referral's reason.
const (
	ReasonConsentWithdrawn = "consent_withdrawn" // the person's consent no longer covers the provider
	ReasonPurged           = "purged"            // the retention purge ended every access to the case
	ReasonEnded            = "ended"             // the follow-up window after the service ended passed
	ReasonRevoked          = "revoked"           // revoked in intake otherwise (by the owner, a transfer)
)

// ReasonsFromReferral are the reasons a message from referral may give.
var ReasonsFromReferral = []string{ReasonDeclined, ReasonExpired, ReasonWithdrawn}

// ReasonsFromIntake are the reasons a message from intake may give.
var ReasonsFromIntake = []string{ReasonConsentWithdrawn, ReasonPurged, ReasonEnded, ReasonRevoked,
	ReasonDeclined, ReasonExpired, ReasonWithdrawn}

// Revocation names one referral grant revoked (from intake) or to revoke
// (from referral).
type Revocation struct {
	ID         string    `json:"id"` // MessageID: the same revocation has the same id
	CaseID     string    `json:"case_id"`
	ReferralID string    `json:"referral_id"`
	OrgID      string    `json:"org_id"` // the grantee, the candidate provider
	GrantID    string    `json:"grant_id"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

// MessageID derives a revocation's id from the grant and the sender, so a
// change that runs twice sends the same id.
func MessageID(sender, grantID string) string {
	h := sha256.Sum256([]byte("grant-revocation\x00" + sender + "\x00" + grantID))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8: custom
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// Validate checks the revocation holds ids and a known reason only;
// reasons are ReasonsFromIntake or ReasonsFromReferral, by the sender.
func (r Revocation) Validate(reasons []string) error {
	var bad []string
	for name, v := range map[string]string{"id": r.ID, "case_id": r.CaseID, "referral_id": r.ReferralID,
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
