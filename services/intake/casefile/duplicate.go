package casefile

import "time"

// Duplicate is a possible match between two registrations: the
// organisations owning them, when, by which index kind, and whether it was
// decided the same person. Never the name, and a case's id only to a
// caller whose organisation may see that case (cases/duplicates_view.go).
type Duplicate struct {
	ID         string     `json:"id"`
	CaseID     string     `json:"case_id,omitempty"`    // the later case, whose check found the match
	MatchesID  string     `json:"matches_id,omitempty"` // the case it matched
	CaseOrg    string     `json:"case_org"`             // the organisation owning the later case
	MatchesOrg string     `json:"matches_org"`          // the organisation owning the case it matched
	Strength   string     `json:"strength"`             // name_and_year, name_only
	FoundAt    time.Time  `json:"found_at"`
	Status     string     `json:"status"`               // pending, confirmed, rejected
	DecidedBy  string     `json:"decided_by,omitempty"` // the user who confirmed or rejected it
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
}

// DuplicatePage is a page of possible duplicates.
type DuplicatePage struct {
	Duplicates []Duplicate `json:"duplicates"`
	Next       string      `json:"next,omitempty"`
}
