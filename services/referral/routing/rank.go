package routing

import (
	"slices"
	"sort"
	"time"

	"github.com/nrm-project/nrm/services/referral/directory"
)

// National is the region code of a provider serving the whole country.
const National = directory.National

// Profile is what routing knows of the person (codes only).
type Profile struct {
	Service    string
	Urgency    string
	Region     string
	Gender     string
	Child      bool
	Dependants int
	Languages  []string
}

func (p Profile) GroupSize() int { return 1 + p.Dependants }

// Need is the number of places a referral takes: the whole group for a
// place-based service (shelter), the person alone otherwise.
func (r Policy) Need(service string, groupSize int) int {
	if r.placeBased(service) {
		return groupSize
	}
	return 1
}

// Candidate is a provider in a referral's ranking; the referral
// service adds its offer's state (status, deadline, answer).
type Candidate struct {
	OrgID         string     `json:"org_id"`
	Name          string     `json:"name,omitempty"` // the provider's name in the directory
	Rank          int        `json:"rank"`
	Score         float64    `json:"score"`
	Reasons       []string   `json:"reasons"`
	Status        string     `json:"status,omitempty"`
	Deadline      *time.Time `json:"deadline,omitempty"`
	DeclineReason string     `json:"decline_reason,omitempty"`
	DeclineNote   string     `json:"decline_note,omitempty"`
	// GrantState is the candidate's grant to read the case (pending,
	// active, revoked), GrantReason why it was revoked (pkg/grantchange).
	GrantState  string `json:"grant_state,omitempty"`
	GrantReason string `json:"grant_reason,omitempty"`
}

// Exclusion reason codes (hard filters), in the order they are checked.
const (
	ReasonInactive          = "inactive"
	ReasonServiceNotOffered = "service_not_offered"
	ReasonOutsideArea       = "outside_area"
	ReasonChildNotAccepted  = "child_not_accepted"
	ReasonAdultNotAccepted  = "adult_not_accepted"
	ReasonGenderNotAccepted = "gender_not_accepted"
	ReasonNoDependants      = "dependants_not_accepted"
	ReasonNoRoom            = "no_room"
)

// Ranking reason codes (score).
const (
	ReasonSameRegion      = "same_region"
	ReasonNeighbourRegion = "neighbour_region"
	ReasonNational        = "national"
	ReasonOtherRegion     = "other_region"
	ReasonLanguageMatch   = "language_match"
	ReasonNoLanguageMatch = "no_language_match"
	ReasonAlwaysOpen      = "open_24_7"
	ReasonLoadLow         = "load_low"
	ReasonLoadHigh        = "load_high"
	ReasonResponseFast    = "response_fast"
	ReasonResponseSlow    = "response_slow"
	ReasonNoHistory       = "no_response_history"
)

// exclude returns the first hard filter p fails for pr, or "".
func (r Policy) exclude(p Profile, pr *directory.Provider) string {
	if !pr.Active {
		return ReasonInactive
	}
	svc := pr.Service(p.Service)
	if svc == nil {
		return ReasonServiceNotOffered
	}
	if !slices.Contains(pr.Regions, p.Region) && !slices.Contains(pr.Regions, National) {
		return ReasonOutsideArea
	}
	if p.Child && !pr.AcceptsChildren {
		return ReasonChildNotAccepted
	}
	if !p.Child && !pr.AcceptsAdults {
		return ReasonAdultNotAccepted
	}
	if len(pr.Genders) > 0 && !slices.Contains(pr.Genders, p.Gender) {
		return ReasonGenderNotAccepted
	}
	if r.placeBased(p.Service) && p.Dependants > 0 && !pr.AcceptsDependants {
		return ReasonNoDependants
	}
	if svc.Used+r.Need(p.Service, p.GroupSize()) > svc.Places {
		return ReasonNoRoom
	}
	return ""
}

// score rates a provider that passed the hard filters, with the reasons.
func (r Policy) score(p Profile, pr *directory.Provider) (float64, []string) {
	w := r.Weights
	var s float64
	reasons := make([]string, 0, 5)
	switch {
	case pr.Region == p.Region:
		s += w.SameRegion
		reasons = append(reasons, ReasonSameRegion)
	case pr.Region != "" && r.neighbours(p.Region, pr.Region):
		s += w.NeighbourRegion
		reasons = append(reasons, ReasonNeighbourRegion)
	case slices.Contains(pr.Regions, National):
		s += w.National
		reasons = append(reasons, ReasonNational)
	default:
		reasons = append(reasons, ReasonOtherRegion)
	}
	if len(p.Languages) > 0 {
		match := false
		for _, l := range p.Languages {
			if slices.Contains(pr.Languages, l) {
				match = true
				break
			}
		}
		if match {
			s += w.LanguageMatch
			reasons = append(reasons, ReasonLanguageMatch)
		} else {
			reasons = append(reasons, ReasonNoLanguageMatch)
		}
	}
	if p.Urgency == "emergency" && pr.Availability == directory.Always {
		s += w.AlwaysOpenEmergency
		reasons = append(reasons, ReasonAlwaysOpen)
	}
	svc := pr.Service(p.Service)
	load := 1.0
	if svc.Places > 0 {
		load = float64(svc.Used) / float64(svc.Places)
	}
	s -= w.Load * load
	if load < 0.5 {
		reasons = append(reasons, ReasonLoadLow)
	} else {
		reasons = append(reasons, ReasonLoadHigh)
	}
	slow := time.Duration(r.SlowResponse)
	switch {
	case pr.MedianResponseSeconds == nil:
		s -= w.ResponseTime / 2
		reasons = append(reasons, ReasonNoHistory)
	default:
		f := min(float64(*pr.MedianResponseSeconds)/slow.Seconds(), 1)
		s -= w.ResponseTime * f
		if f < 0.5 {
			reasons = append(reasons, ReasonResponseFast)
		} else {
			reasons = append(reasons, ReasonResponseSlow)
		}
	}
	return s, reasons
}

// Rank orders the providers that pass the hard filters by score (ties by
// organisation id, so the order is stable), and lists the others with the
// filter that excluded them.
func (r Policy) Rank(p Profile, providers []directory.Provider) (ranked, excluded []Candidate) {
	for i := range providers {
		pr := &providers[i]
		if why := r.exclude(p, pr); why != "" {
			excluded = append(excluded, Candidate{OrgID: pr.OrgID, Name: pr.Name, Reasons: []string{why}})
			continue
		}
		s, reasons := r.score(p, pr)
		ranked = append(ranked, Candidate{OrgID: pr.OrgID, Name: pr.Name, Score: s, Reasons: reasons})
	}
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].Score != ranked[j].Score {
			return ranked[i].Score > ranked[j].Score
		}
		return ranked[i].OrgID < ranked[j].OrgID
	})
	for i := range ranked {
		ranked[i].Rank = i + 1
	}
	return ranked, excluded
}
