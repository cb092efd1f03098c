package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/directory"
)

// The directory's service methods: who may read and change an entry, and
// the audit of every change. The entries, their checks, HSDS and their
// storage are the directory package's.

// mayManage says whether p may change orgID's entry: a system administrator
// any, an organisation administrator their own.
func mayManage(p auth.Principal, orgID string) bool {
	return p.HasRole(auth.RoleSystemAdmin) || p.HasRole(auth.RoleOrgAdmin) && p.OrgID == orgID
}

func (s *service) GetProvider(ctx context.Context, orgID string) (Provider, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Provider{}, err
	}
	if !validID(orgID) {
		return Provider{}, ErrNotFound
	}
	pr, err := s.store.Provider(ctx, s.db, orgID)
	if err != nil {
		return Provider{}, err
	}
	if !mayManage(p, orgID) {
		pr.WebhookURL = ""
	}
	return pr, nil
}

func (s *service) ListProviders(ctx context.Context, service, region string) ([]Provider, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	if service != "" && !slices.Contains(ServiceTypes, service) {
		return nil, kit.Validation("service: must be one of " + joinCodes(ServiceTypes))
	}
	if region != "" && region != National && !s.routing.ValidRegion(region) {
		return nil, kit.Validation("region: must be national or one of " + joinCodes(s.routing.Regions))
	}
	all, err := s.store.Providers(ctx, s.db, service)
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
	p, err := auth.Required(ctx)
	if err != nil {
		return Provider{}, err
	}
	if !validID(orgID) {
		return Provider{}, ErrNotFound
	}
	if !mayManage(p, orgID) {
		return Provider{}, s.deny(ctx, "referral.provider.update", "provider", orgID, ErrForbidden)
	}
	in, err = s.directoryRules().Validate(in)
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
	if in.Region == "" && s.routing.ValidRegion(org.Region) {
		in.Region = org.Region
	}
	var secret WebhookSecretInfo
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.store.webhookURL(ctx, tx, orgID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := s.store.Put(ctx, tx, orgID, org.Kind, in, s.now()); err != nil {
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
	p, err := auth.Required(ctx)
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
		n, err := s.store.SetPlaces(ctx, tx, orgID, service, places)
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

// ExportHSDS exports the directory.
func (s *service) ExportHSDS(ctx context.Context) (HSDSDocument, error) {
	if _, err := auth.Required(ctx); err != nil {
		return HSDSDocument{}, err
	}
	all, err := s.store.Providers(ctx, s.db, "")
	if err != nil {
		return HSDSDocument{}, err
	}
	d := HSDSDocument{Organizations: make([]HSDSOrganization, 0, len(all))}
	for _, p := range all {
		d.Organizations = append(d.Organizations, directory.ToHSDS(p))
	}
	return d, nil
}

// MaxImport bounds the organisations of one import.
const MaxImport = 5000

// ImportHSDS writes every organisation of d into the directory, all or
// nothing. Each must be known to the organisation directory.
func (s *service) ImportHSDS(ctx context.Context, d HSDSDocument) (int, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return 0, err
	}
	if !p.HasRole(auth.RoleSystemAdmin) {
		return 0, s.deny(ctx, "referral.provider.import", "provider", "", ErrForbidden)
	}
	if len(d.Organizations) == 0 || len(d.Organizations) > MaxImport {
		return 0, kit.Validation(fmt.Sprintf("organizations: 1 to %d", MaxImport))
	}
	type entry struct {
		id, kind string
		in       ProviderInput
	}
	entries := make([]entry, 0, len(d.Organizations))
	seen := map[string]bool{}
	for i, o := range d.Organizations {
		if !validID(o.ID) || seen[o.ID] {
			return 0, kit.Validation(fmt.Sprintf("organizations[%d].id: distinct organisation ids", i))
		}
		seen[o.ID] = true
		in, err := directory.FromHSDS(o)
		if err == nil {
			in, err = s.directoryRules().Validate(in)
		}
		if err != nil {
			return 0, kit.Validation(fmt.Sprintf("organizations[%d]: %s", i, kit.AsError(err).Message))
		}
		org, err := s.orgs.Org(ctx, o.ID)
		if errors.Is(err, kit.ErrNotFound) {
			return 0, kit.Validation(fmt.Sprintf("organizations[%d].id: unknown organisation", i))
		}
		if err != nil {
			return 0, fmt.Errorf("referral: organisation directory: %w: %w", ErrUnavailable, err)
		}
		entries = append(entries, entry{o.ID, org.Kind, in})
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		evs := make([]event.Audit, 0, len(entries))
		for _, e := range entries {
			if err := s.store.Put(ctx, tx, e.id, e.kind, e.in, s.now()); err != nil {
				return err
			}
			evs = append(evs, s.rec.New(ctx, "referral.provider.import", "provider", e.id, event.Allowed))
		}
		return s.audit(ctx, tx, evs...)
	})
	if err != nil {
		return 0, err
	}
	return len(entries), nil
}
