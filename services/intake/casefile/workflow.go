package casefile

// The case record's entry types: the workflow writes and validates them,
// and the case work every service shares (sealing, sharing, retention)
// classes them.
const (
	EntryNote             = "note"
	EntryCorrection       = "correction"
	EntryServiceDelivered = "service_delivered"
	EntrySupportPlan      = "support_plan"
	EntryInterview        = "interview"
	EntryAttachment       = "attachment"
	EntryAgeAssessment    = "age_assessment"
	EntryBestInterests    = "best_interests"
	// EntryProceedEarly records that the person asked for the conclusive
	// decision before the end of the recovery and reflection period; the
	// owner or the competent authority writes it.
	EntryProceedEarly = "proceed_early_request"
	// EntryDecision and EntryLetter are written by the decision track
	// itself: a decision's reasons and its letter.
	EntryDecision = "decision"
	EntryLetter   = "decision_letter"
)

// EntryTypes lists the types a caller may add (POST
// /api/v1/cases/{id}/entries).
var EntryTypes = []string{EntryNote, EntryCorrection, EntryServiceDelivered, EntrySupportPlan, EntryInterview,
	EntryAttachment, EntryAgeAssessment, EntryBestInterests, EntryProceedEarly}

// ServiceChildProtection is the service of the mandatory child-protection
// referral: a child's case needs one until a grant for it exists.
const ServiceChildProtection = "child_protection"
