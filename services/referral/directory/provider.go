package directory

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Availability values.
const (
	Always = "24/7"
	Hours  = "hours"
)

// Provider is an organisation's entry in the directory. It holds no street
// address: Region is the region the provider works from, Regions those it
// serves (or "national").
type Provider struct {
	OrgID             string   `json:"org_id"`
	Name              string   `json:"name"`
	Kind              string   `json:"kind"`
	Region            string   `json:"region"`
	Regions           []string `json:"regions"`
	Genders           []string `json:"genders"`
	AcceptsChildren   bool     `json:"accepts_children"`
	AcceptsAdults     bool     `json:"accepts_adults"`
	AcceptsDependants bool     `json:"accepts_dependants"`
	Languages         []string `json:"languages"`
	Availability      string   `json:"availability"`
	Hours             string   `json:"hours,omitempty"`
	Active            bool     `json:"active"`
	WebhookURL        string   `json:"webhook_url,omitempty"` // shown to its managers only
	// WebhookSecret is the hex key deliveries are signed with, in the
	// answer that sets the webhook only (shown once; rotate to replace).
	WebhookSecret         string            `json:"webhook_secret,omitempty"`
	Services              []ProviderService `json:"services"`
	MedianResponseSeconds *int64            `json:"median_response_seconds,omitempty"`
	UpdatedAt             time.Time         `json:"updated_at"`
}

// ProviderService is one service of a provider with its capacity in places.
type ProviderService struct {
	Service string `json:"service"`
	Places  int    `json:"places"`
	Used    int    `json:"used"`
}

// Service returns the provider's entry for service s, or nil.
func (p *Provider) Service(s string) *ProviderService {
	for i := range p.Services {
		if p.Services[i].Service == s {
			return &p.Services[i]
		}
	}
	return nil
}

// ProviderInput is what a provider's manager writes.
type ProviderInput struct {
	Name              string          `json:"name"`
	Region            string          `json:"region"`
	Regions           []string        `json:"regions"`
	Genders           []string        `json:"genders"`
	AcceptsChildren   bool            `json:"accepts_children"`
	AcceptsAdults     bool            `json:"accepts_adults"`
	AcceptsDependants bool            `json:"accepts_dependants"`
	Languages         []string        `json:"languages"`
	Availability      string          `json:"availability"`
	Hours             string          `json:"hours,omitempty"`
	Active            bool            `json:"active"`
	WebhookURL        string          `json:"webhook_url,omitempty"`
	Services          []ServicePlaces `json:"services"`
}

// ServicePlaces is a service offered with its places.
type ServicePlaces struct {
	Service string `json:"service"`
	Places  int    `json:"places"`
}

// MaxPlaces bounds the capacity of one service.
const MaxPlaces = 100000

// National is the region of a provider that serves the whole country.
const National = "national"

var (
	genders = []string{"female", "male", "other", "unknown"}
	langRe  = regexp.MustCompile(`^[a-z]{2}$`)
	hoursRe = regexp.MustCompile(`^[A-Za-z0-9 :,;./+-]{0,64}$`)
)

// Rules are what a directory entry is checked against: the deployment's
// regions and the service types.
type Rules struct {
	Regions  []string
	Services []string
}

func (r Rules) validRegion(code string) bool { return slices.Contains(r.Regions, code) }

// Validate checks an entry and returns it with its lists sorted and
// without repeats; a refusal names the failing field.
func (r Rules) Validate(in ProviderInput) (ProviderInput, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 || strings.IndexFunc(in.Name, unicode.IsControl) >= 0 {
		return in, kit.Validation("name: 1 to 200 characters")
	}
	if in.Region != "" && !r.validRegion(in.Region) {
		return in, kit.Validation("region: must be one of " + joinCodes(r.Regions))
	}
	if len(in.Regions) == 0 {
		return in, kit.Validation("regions: name at least one region, or national")
	}
	for _, g := range in.Regions {
		if g != National && !r.validRegion(g) {
			return in, kit.Validation("regions: each must be national or one of " + joinCodes(r.Regions))
		}
	}
	for _, g := range in.Genders {
		if !slices.Contains(genders, g) {
			return in, kit.Validation("genders: each must be one of " + joinCodes(genders))
		}
	}
	if !in.AcceptsChildren && !in.AcceptsAdults {
		return in, kit.Validation("accepts_children, accepts_adults: accept at least one")
	}
	if len(in.Languages) > 50 {
		return in, kit.Validation("languages: at most 50")
	}
	for _, l := range in.Languages {
		if !langRe.MatchString(l) {
			return in, kit.Validation("languages: ISO 639-1 codes")
		}
	}
	if in.Availability != Always && in.Availability != Hours {
		return in, kit.Validation("availability: 24/7 or hours")
	}
	if !hoursRe.MatchString(in.Hours) {
		return in, kit.Validation("hours: an opening-hours code such as Mo-Fr 08:00-18:00")
	}
	if in.WebhookURL != "" {
		if err := validWebhookURL(in.WebhookURL); err != nil {
			return in, err
		}
	}
	if len(in.Services) == 0 {
		return in, kit.Validation("services: offer at least one")
	}
	seen := map[string]bool{}
	for _, s := range in.Services {
		if !slices.Contains(r.Services, s.Service) || seen[s.Service] {
			return in, kit.Validation("services: each once, one of " + joinCodes(r.Services))
		}
		if s.Places < 0 || s.Places > MaxPlaces {
			return in, kit.Validation(fmt.Sprintf("services: places between 0 and %d", MaxPlaces))
		}
		seen[s.Service] = true
	}
	in.Regions = Codes(in.Regions)
	in.Genders = Codes(in.Genders)
	in.Languages = Codes(in.Languages)
	return in, nil
}

func validWebhookURL(s string) error {
	u, err := url.Parse(s)
	bad := kit.Validation("webhook_url: an https URL (http only to localhost), at most 512 characters")
	if err != nil || len(s) > 512 || u.Host == "" || u.User != nil || u.Fragment != "" {
		return bad
	}
	host := u.Hostname()
	if u.Scheme == "https" || u.Scheme == "http" && (host == "127.0.0.1" || host == "localhost" || host == "::1") {
		return nil
	}
	return bad
}

// Codes returns xs sorted and without repeats, never nil: the form every
// list of codes of an entry is kept in.
func Codes(xs []string) []string {
	out := slices.Clone(xs)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func joinCodes(xs []string) string { return strings.Join(xs, ", ") }
