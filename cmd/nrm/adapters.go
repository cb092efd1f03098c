package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// orgDirectory answers other services' questions about organisations from
// the identity service, with a short cache: organisations are few and
// rarely change, and a new one is found on the next miss.
type orgDirectory struct {
	identity identity.Service
	ttl      time.Duration

	mu      sync.Mutex
	byID    map[string]identity.Org
	fetched time.Time
}

// directoryPrincipal lists organisations for the other services in this
// process: it reads the directory and nothing else.
var directoryPrincipal = auth.Principal{UserID: "svc:directory", Roles: []string{auth.RoleSystemAdmin}}

func newOrgDirectory(s identity.Service) *orgDirectory {
	return &orgDirectory{identity: s, ttl: 30 * time.Second}
}

// orgs returns every organisation, refreshed when stale or when id (if
// given) is unknown.
func (d *orgDirectory) orgs(ctx context.Context, id string) (map[string]identity.Org, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, known := d.byID[id]
	if d.byID != nil && time.Since(d.fetched) < d.ttl && (id == "" || known) {
		return d.byID, nil
	}
	list, err := d.identity.ListOrgs(auth.WithPrincipal(ctx, directoryPrincipal))
	if err != nil {
		return nil, fmt.Errorf("org directory: %w", err)
	}
	d.byID = make(map[string]identity.Org, len(list))
	for _, o := range list {
		d.byID[o.ID] = o
	}
	d.fetched = time.Now()
	return d.byID, nil
}

func (d *orgDirectory) org(ctx context.Context, id string) (identity.Org, error) {
	all, err := d.orgs(ctx, id)
	if err != nil {
		return identity.Org{}, err
	}
	o, ok := all[id]
	if !ok {
		return identity.Org{}, kit.ErrNotFound
	}
	return o, nil
}

func (d *orgDirectory) byKind(ctx context.Context, kind string) ([]identity.Org, error) {
	all, err := d.orgs(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []identity.Org
	for _, o := range all {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out, nil
}

// intakeOrgs adapts the directory to intake.OrgDirectory.
type intakeOrgs struct{ d *orgDirectory }

func (a intakeOrgs) Org(ctx context.Context, id string) (intake.OrgInfo, error) {
	o, err := a.d.org(ctx, id)
	if err != nil {
		return intake.OrgInfo{}, err
	}
	return intake.OrgInfo{ID: o.ID, Kind: o.Kind, Region: o.Region}, nil
}

func (a intakeOrgs) OrgsByKind(ctx context.Context, kind string) ([]intake.OrgInfo, error) {
	list, err := a.d.byKind(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]intake.OrgInfo, len(list))
	for i, o := range list {
		out[i] = intake.OrgInfo{ID: o.ID, Kind: o.Kind, Region: o.Region}
	}
	return out, nil
}

// referralOrgs adapts the directory to referral.Orgs.
type referralOrgs struct{ d *orgDirectory }

func (a referralOrgs) Org(ctx context.Context, id string) (referral.OrgInfo, error) {
	o, err := a.d.org(ctx, id)
	if err != nil {
		return referral.OrgInfo{}, err
	}
	return referral.OrgInfo{ID: o.ID, Kind: o.Kind, Region: o.Region}, nil
}

// referralCases adapts intake's summaries to referral.CaseSource.
type referralCases struct{ r intake.SummaryReader }

func (a referralCases) Summary(ctx context.Context, caseID string) (referral.CaseSummary, error) {
	c, err := a.r.Summary(ctx, caseID)
	if err != nil {
		return referral.CaseSummary{}, err
	}
	return referral.CaseSummary{
		ID: c.ID, OwnerOrg: c.OwnerOrg, Route: c.Route, Region: c.Region, Gender: c.Gender,
		AgeGroup: c.AgeGroup, TreatedAsChild: c.TreatedAsChild, Needs: c.Needs,
		Languages: c.Languages, Dependants: c.Dependants,
	}, nil
}

// referralGrants adapts intake's grants to referral's own grant types;
// referral revokes its referrals' grants through intake's
// RevokeReferralGrant, which checks the grant is the one it names.
type referralGrants struct {
	intake intake.Service
	core   *intake.Intake
}

func (a referralGrants) GrantPending(ctx context.Context, g referral.GrantRequest) (referral.Grant, error) {
	got, err := a.intake.GrantPending(ctx, intake.GrantRequest{CaseID: g.CaseID, OrgID: g.OrgID, Sections: g.Sections,
		ReferralID: g.ReferralID, Purpose: g.Purpose, Service: g.Service})
	return referral.Grant{ID: got.ID, Status: got.Status}, err
}

func (a referralGrants) ActivateGrant(ctx context.Context, caseID, grantID string) (referral.Grant, error) {
	got, err := a.intake.ActivateGrant(ctx, caseID, grantID)
	return referral.Grant{ID: got.ID, Status: got.Status}, err
}

func (a referralGrants) RevokeReferralGrant(ctx context.Context, g referral.GrantOfReferral) error {
	return a.core.RevokeReferralGrant(ctx, intake.ReferralGrant{CaseID: g.CaseID, ReferralID: g.ReferralID,
		OrgID: g.OrgID, GrantID: g.GrantID})
}

func (a referralGrants) EndGrant(ctx context.Context, caseID, grantID string) (referral.Grant, error) {
	got, err := a.intake.EndGrant(ctx, caseID, grantID)
	return referral.Grant{ID: got.ID, Status: got.Status}, err
}

// referralDisclosures records an external referral's disclosure in the
// case, has intake build its package (referral never reads a section),
// and checks the disclosure again before each download (intake).
type referralDisclosures struct {
	intake   intake.Service
	packages intake.Packages
}

func (a referralDisclosures) Disclose(ctx context.Context, caseID string, in referral.DisclosureInput) (string, error) {
	d, err := a.intake.Disclose(ctx, caseID, intake.DisclosureInput{RecipientKind: in.RecipientKind,
		LegalBasis: in.LegalBasis, Sections: in.Sections})
	return d.ID, err
}

func (a referralDisclosures) DisclosureStands(ctx context.Context, caseID, disclosureID string) error {
	return a.packages.DisclosureStands(ctx, caseID, disclosureID)
}

func (referralDisclosures) CheckRecipient(r string) (string, error) { return intake.CheckRecipient(r) }

func (a referralDisclosures) BuildPackage(ctx context.Context, caseID string, spec referral.PackageSpec) ([]byte, error) {
	return a.packages.BuildPackage(ctx, caseID, intake.PackageSpec{
		PackageID: spec.PackageID, ReferralID: spec.ReferralID, ProducedAt: spec.ProducedAt, LegalBasis: spec.LegalBasis,
		Destination: spec.Destination, Service: spec.Service, Urgency: spec.Urgency,
		Summary: intake.PackageSummary{Region: spec.Region, Gender: spec.Gender, AgeGroup: spec.AgeGroup,
			TreatedAsChild: spec.TreatedAsChild, Languages: spec.Languages, GroupSize: spec.GroupSize},
		Sections: spec.Sections, Recipient: spec.Recipient,
	})
}

// caseAccessLog gives intake's access report the audit log's events about
// one case (read with the auditor's own, audited, access).
type caseAccessLog struct{ log audit.Service }

func (a caseAccessLog) CaseEvents(ctx context.Context, caseID string) ([]intake.AccessRecord, error) {
	var out []intake.AccessRecord
	q := audit.Query{ObjectType: "case", ObjectID: caseID, Limit: 1000}
	for range 100 { // at most 100,000 events per report
		page, err := a.log.Events(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Events {
			out = append(out, intake.AccessRecord{Time: e.Time, Action: e.Action, Outcome: string(e.Outcome),
				ActorOrg: e.ActorOrg, ActorRole: e.ActorRole})
		}
		if page.Next == nil {
			return out, nil
		}
		q.After = page.Next
	}
	return out, nil
}

// intakeChildren tells intake who protects children: an organisation of
// kind social_services or one whose directory entry offers the active
// child_protection service (referral), and guardians as identity knows
// them (an active user of the organisation holding the guardian role).
// Referral is reached through the system, built after intake.
type intakeChildren struct {
	orgs     *orgDirectory
	identity func() identity.Service
	referral func() referral.Service
}

func (a intakeChildren) ProtectsChildren(ctx context.Context, orgID string) (bool, error) {
	o, err := a.orgs.org(ctx, orgID)
	if err != nil {
		return false, err
	}
	if o.Kind == intake.OrgKindSocialServices {
		return true, nil
	}
	ref := a.referral()
	if ref == nil {
		return false, nil
	}
	p, err := ref.GetProvider(auth.WithPrincipal(ctx, directoryPrincipal), orgID)
	if errors.Is(err, kit.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, sv := range p.Services {
		if sv.Service == intake.ServiceChildProtection {
			return p.Active, nil
		}
	}
	return false, nil
}

func (a intakeChildren) IsGuardian(ctx context.Context, userID, orgID string) (bool, error) {
	users, err := a.identity().ListUsers(auth.WithPrincipal(ctx, directoryPrincipal), orgID)
	if errors.Is(err, kit.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if u.ID == userID {
			return u.OrgID == orgID && u.Status == identity.StatusActive && slices.Contains(u.Roles, auth.RoleGuardian), nil
		}
	}
	return false, nil
}
