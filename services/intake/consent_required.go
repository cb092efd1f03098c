package intake

import (
	"net/http"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
)

// consentRequired names the purpose whose consent is missing.
func consentRequired(purpose string) error {
	field := map[string]string{PurposeNRMSubmission: "consent.nrm_referral", PurposeAssistance: "consent.assistance",
		PurposeDataSharing: "consent.data_sharing"}[purpose]
	e := kit.NewError(http.StatusConflict, CodeConsentRequired,
		"the person's consent to "+strings.ReplaceAll(purpose, "_", " ")+" is not recorded")
	e.Fields = []kit.FieldError{{Path: field, Code: CodeConsentRequired, Message: "record the person's " + purpose + " consent first"}}
	return e
}
