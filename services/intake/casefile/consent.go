package casefile

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// LatestConsent returns the most recent record for purpose.
func LatestConsent(records []Consent, purpose string) (Consent, bool) {
	for i := len(records) - 1; i >= 0; i-- {
		if records[i].Purpose == purpose {
			return records[i], true
		}
	}
	return Consent{}, false
}

// CurrentConsent reports whether the latest record for purpose grants it
// and has not expired.
func CurrentConsent(records []Consent, purpose string, now time.Time) (Consent, bool) {
	c, ok := LatestConsent(records, purpose)
	if !ok || !c.Granted || c.ExpiresAt != nil && !now.Before(*c.ExpiresAt) {
		return Consent{}, false
	}
	return c, true
}

// SharingCovers reports whether current data_sharing consent covers an
// organisation of kind.
func SharingCovers(records []Consent, kind string, now time.Time) bool {
	c, ok := CurrentConsent(records, PurposeDataSharing, now)
	return ok && slices.Contains(c.ShareWith, kind)
}

// ConsentMissing is the refusal that names the purpose whose consent is
// missing, and the field of the registration that records it.
func ConsentMissing(purpose string) error {
	field := map[string]string{PurposeNRMSubmission: "consent.nrm_referral", PurposeAssistance: "consent.assistance",
		PurposeDataSharing: "consent.data_sharing"}[purpose]
	e := kit.NewError(http.StatusConflict, CodeConsentRequired,
		"the person's consent to "+strings.ReplaceAll(purpose, "_", " ")+" is not recorded")
	e.Fields = []kit.FieldError{{Path: field, Code: CodeConsentRequired, Message: "record the person's " + purpose + " consent first"}}
	return e
}
