package casefile

import (
	"slices"
	"time"
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
