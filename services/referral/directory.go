package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
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

func (p *Provider) service(s string) *ProviderService {
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

var (
	genders   = []string{"female", "male", "other", "unknown"}
	langRe    = regexp.MustCompile(`^[a-z]{2}$`)
	hoursRe   = regexp.MustCompile(`^[A-Za-z0-9 :,;./+-]{0,64}$`)
	uuidRe    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	codeRe    = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

func validID(s string) bool { return uuidRe.MatchString(s) }

func (r Routing) validateProvider(in ProviderInput) (ProviderInput, error) {
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
		if !slices.Contains(ServiceTypes, s.Service) || seen[s.Service] {
			return in, kit.Validation("services: each once, one of " + joinCodes(ServiceTypes))
		}
		if s.Places < 0 || s.Places > MaxPlaces {
			return in, kit.Validation(fmt.Sprintf("services: places between 0 and %d", MaxPlaces))
		}
		seen[s.Service] = true
	}
	in.Regions = sortedSet(in.Regions)
	in.Genders = sortedSet(in.Genders)
	in.Languages = sortedSet(in.Languages)
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

func sortedSet(xs []string) []string {
	out := slices.Clone(xs)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func joinCodes(xs []string) string { return strings.Join(xs, ", ") }

// mayManage says whether p may change orgID's entry: a system administrator
// any, an organisation administrator their own.
func mayManage(p auth.Principal, orgID string) bool {
	return p.HasRole(auth.RoleSystemAdmin) || p.HasRole(auth.RoleOrgAdmin) && p.OrgID == orgID
}

func (s *service) GetProvider(ctx context.Context, orgID string) (Provider, error) {
	p, err := principal(ctx)
	if err != nil {
		return Provider{}, err
	}
	if !validID(orgID) {
		return Provider{}, ErrNotFound
	}
	pr, err := s.store.provider(ctx, s.db, orgID)
	if err != nil {
		return Provider{}, err
	}
	if !mayManage(p, orgID) {
		pr.WebhookURL = ""
	}
	return pr, nil
}

func (s *service) ListProviders(ctx context.Context, service, region string) ([]Provider, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if service != "" && !slices.Contains(ServiceTypes, service) {
		return nil, kit.Validation("service: must be one of " + joinCodes(ServiceTypes))
	}
	if region != "" && region != National && !s.routing.validRegion(region) {
		return nil, kit.Validation("region: must be national or one of " + joinCodes(s.routing.Regions))
	}
	all, err := s.store.providers(ctx, s.db, service)
	if err != nil {
		return nil, err
	}
	out := make([]Provider, 0, len(all))
	for _, pr := range all {
		if region != "" && !slices.Contains(pr.Regions, region) && !slices.Contains(pr.Regions, National) {
			continue
		}
		if !mayManage(p, pr.OrgID) {
			pr.WebhookURL = ""
		}
		out = append(out, pr)
	}
	return out, nil
}

func (s *service) PutProvider(ctx context.Context, orgID string, in ProviderInput) (Provider, error) {
	p, err := principal(ctx)
	if err != nil {
		return Provider{}, err
	}
	if !validID(orgID) {
		return Provider{}, ErrNotFound
	}
	if !mayManage(p, orgID) {
		return Provider{}, s.deny(ctx, "referral.provider.update", "provider", orgID, ErrForbidden)
	}
	in, err = s.routing.validateProvider(in)
	if err != nil {
		return Provider{}, err
	}
	addsChild, err := s.childProtectionChange(ctx, p, orgID, in)
	if errors.Is(err, ErrChildProtection) {
		return Provider{}, s.deny(ctx, "referral.provider.update", "provider", orgID, err)
	}
	if err != nil {
		return Provider{}, err
	}
	org, err := s.orgs.Org(ctx, orgID)
	if errors.Is(err, kit.ErrNotFound) {
		return Provider{}, ErrNotFound
	}
	if err != nil {
		return Provider{}, fmt.Errorf("referral: organisation directory: %w: %w", ErrUnavailable, err)
	}
	if in.Region == "" && s.routing.validRegion(org.Region) {
		in.Region = org.Region
	}
	var secret WebhookSecretInfo
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var before string
		err := tx.QueryRowContext(ctx, `SELECT webhook_url FROM providers WHERE org_id = $1`, orgID).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("referral: provider %s: %w", orgID, err)
		}
		if err := s.store.putProvider(ctx, tx, orgID, org.Kind, in, s.now()); err != nil {
			return err
		}
		evs := []event.Audit{s.rec.New(ctx, "referral.provider.update", "provider", orgID, event.Allowed)}
		if addsChild {
			evs = append(evs, s.rec.New(ctx, "referral.provider.child_protection", "provider", orgID, event.Allowed))
		}
		if err := s.audit(ctx, tx, evs...); err != nil {
			return err
		}
		if before != "" || in.WebhookURL == "" {
			return nil
		}
		// A webhook set now gets a fresh secret, shown in this answer only.
		secret, err = s.issueSecret(ctx, tx, orgID, "referral.provider.webhook_secret.issue")
		return err
	})
	if err != nil {
		return Provider{}, err
	}
	pr, err := s.GetProvider(ctx, orgID)
	pr.WebhookSecret = secret.Secret
	return pr, err
}

func (s *service) SetCapacity(ctx context.Context, orgID, service string, places int) (Provider, error) {
	p, err := principal(ctx)
	if err != nil {
		return Provider{}, err
	}
	if !validID(orgID) {
		return Provider{}, ErrNotFound
	}
	// Only the provider's own caseworkers and administrators know its beds.
	if p.OrgID != orgID || !p.HasRole(auth.RoleNGOCaseworker) && !p.HasRole(auth.RoleOrgAdmin) {
		return Provider{}, s.deny(ctx, "referral.provider.capacity", "provider", orgID, ErrForbidden)
	}
	if !slices.Contains(ServiceTypes, service) {
		return Provider{}, kit.Validation("service: must be one of " + joinCodes(ServiceTypes))
	}
	if places < 0 || places > MaxPlaces {
		return Provider{}, kit.Validation(fmt.Sprintf("places: between 0 and %d", MaxPlaces))
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := s.store.setPlaces(ctx, tx, orgID, service, places)
		if err != nil {
			return err
		}
		if n == 0 {
			return kit.Validation("service: the provider does not offer it; add it to the directory entry first")
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "referral.provider.capacity", "provider", orgID, event.Allowed))
	})
	if err != nil {
		return Provider{}, err
	}
	return s.GetProvider(ctx, orgID)
}

func principal(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return p, kit.ErrUnauthenticated
	}
	return p, nil
}
