package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

var refRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{0,128}$`)

// ServiceChildProtection is the referral service a child may be referred
// to without a recorded consent (the mandatory child-protection referral).
const ServiceChildProtection = "child_protection"

func validateGrantRequest(g GrantRequest) (GrantRequest, error) {
	var f kit.Fields // every failing field at once
	if !casefile.ValidID(g.CaseID) {
		f.Add("case_id", kit.FieldInvalid, "must be a case id")
	}
	if g.OrgID == "" || !refRe.MatchString(g.OrgID) {
		f.Add("org_id", kit.FieldInvalid, "must be an organisation id")
	}
	if !GrantPurposes.Has(g.Purpose) {
		f.Merge(oneOf(GrantPurposes))
	}
	if g.Service != "" && !Needs.Has(g.Service) {
		f.Add("service", kit.FieldNotOneOf, "must be one of "+store.JoinCodes(Needs.Codes()))
	}
	if !refRe.MatchString(g.ReferralID) {
		f.Add("referral_id", kit.FieldInvalid, "must be a referral id")
	}
	if len(g.Sections) == 0 || len(g.Sections) > len(Sections) {
		f.Add("sections", kit.FieldRequired, "name at least one of "+store.JoinCodes(Sections))
	}
	for i, n := range g.Sections {
		if !slices.Contains(Sections, n) {
			f.Add(fmt.Sprintf("sections[%d]", i), kit.FieldNotOneOf, "must be one of "+store.JoinCodes(Sections))
		}
	}
	if err := f.Err(); err != nil {
		return g, err
	}
	g.Sections = slices.Clone(g.Sections)
	slices.Sort(g.Sections)
	g.Sections = slices.Compact(g.Sections)
	return g, nil
}

// recipient is what the consent rule needs to know about whoever receives
// a case's sections: its kind, whether it protects children, and whether
// it is the organisation of the child's appointed guardian.
type recipient struct {
	org              OrgInfo
	protectsChildren bool
	guardian         bool
}

// mayShare applies the consent rule of a grant or a transfer. An adult's
// current data_sharing consent must cover the recipient's organisation
// kind. A child (including a person of unknown or disputed age) may be
// shared with without that consent only by who receives it and what: a
// child-protection organisation the sections child protection needs, the
// appointed guardian's organisation the guardian's sections; anything else
// needs the consent recorded for the child, as for an adult. Anonymous
// notifications are never shared.
func (s *service) mayShare(c store.CaseRow, consents []Consent, sections []string, to recipient) error {
	if c.Route == RouteAnonymous || c.Status == StatusDraft {
		return ErrInvalidState
	}
	if sharingCovers(consents, to.org.Kind, s.now()) {
		return nil
	}
	if c.TreatedAsChild && (to.protectsChildren && within(sections, childProtectionSections) ||
		to.guardian && within(sections, guardianSections)) {
		return nil
	}
	return ErrConsentRequired
}

// recipientOf describes org for mayShare (the caller sets guardian from
// the case's workflow, in its transaction).
func (s *service) recipientOf(ctx context.Context, org OrgInfo) (recipient, error) {
	cp, err := s.protectsChildren(ctx, org)
	return recipient{org: org, protectsChildren: cp}, err
}

func (s *service) GrantPending(ctx context.Context, req GrantRequest) (Grant, error) {
	p, err := principal(ctx)
	if err != nil {
		return Grant{}, err
	}
	if !p.IsService() {
		if p, _, err = s.callerOrg(ctx); err != nil {
			return Grant{}, err
		}
	}
	req, err = validateGrantRequest(req)
	if err != nil {
		return Grant{}, err
	}
	grantee, err := s.orgs.Org(ctx, req.OrgID)
	if errors.Is(err, kit.ErrNotFound) {
		return Grant{}, kit.Validation("org_id: unknown organisation")
	}
	if err != nil {
		return Grant{}, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
	}
	if err := s.ring.EnsureOrgKey(ctx, grantee.ID); err != nil {
		return Grant{}, err
	}
	to, err := s.recipientOf(ctx, grantee)
	if err != nil {
		return Grant{}, err
	}
	var g store.GrantRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		row, source, err := s.grantSource(ctx, tx, p, req)
		if err != nil {
			return err
		}
		if err := s.refuseDuringBreakGlass(ctx, tx, p, req.CaseID); err != nil {
			return err
		}
		if grantee.ID == row.OwnerOrg {
			return kit.Validation("org_id: the owner organisation needs no grant")
		}
		consents, err := s.store.Consents(ctx, tx, row.ID)
		if err != nil {
			return err
		}
		w, err := s.store.Workflow(ctx, tx, row)
		if err != nil {
			return err
		}
		to.guardian = w.GuardianOrg == grantee.ID
		if err := s.mayShare(row, consents, req.Sections, to); err != nil {
			return err
		}
		now := s.now()
		g = store.GrantRow{Grant: Grant{
			ID: event.NewID(), CaseID: row.ID, OrgID: grantee.ID, Sections: req.Sections, Status: GrantPending,
			Purpose: req.Purpose, ReferralID: req.ReferralID, GrantedBy: grantedBy(p), CreatedAt: now, UpdatedAt: now,
		}, Service: req.Service}
		if err := s.store.InsertGrant(ctx, tx, g); err != nil {
			return err
		}
		// The owner's officer prepares the grantee's wrap now, from the
		// owner's own keys; it becomes readable on acceptance.
		if err := s.rewrap(ctx, tx, row, grantee.ID, source); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.create", "grant", g.ID, event.Allowed))
	})
	if err != nil {
		return Grant{}, s.finish(ctx, err, "intake.grant.create", req.CaseID)
	}
	return g.Grant, nil
}

// grantSource loads the case of a grant (locked) and names the
// organisation whose keys wrap it: the owner's officer grants from the
// owner's own keys. The referral service grants on the owner's behalf a
// referral's pending grant only, when the national desk places a referral
// that found no provider (referral checked the coordinator, the referral
// and routing's filters; intake checks the consent as for the owner and
// records the grant as made by "intake"); no API token carries a service
// principal, so no user reaches this path directly.
func (s *service) grantSource(ctx context.Context, tx *sql.Tx, p auth.Principal, req GrantRequest) (store.CaseRow, string, error) {
	c, err := s.store.CaseByID(ctx, tx, req.CaseID, true)
	switch {
	case errors.Is(err, ErrNotFound):
		return store.CaseRow{}, "", errDenied
	case err != nil:
		return store.CaseRow{}, "", err
	case c.OwnerOrg == p.OrgID:
		return c, p.OrgID, nil
	case p.IsService() && req.Purpose == "referral" && req.ReferralID != "":
		return c, c.OwnerOrg, nil
	}
	return store.CaseRow{}, "", errDenied
}

// grantedBy is the user a grant records, or "intake" for one made on the
// owner's behalf.
func grantedBy(p auth.Principal) string {
	if p.IsService() {
		return "intake"
	}
	return p.UserID
}

// rewrap rebuilds org's wrap from the grants now in the database.
func (s *service) rewrap(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source string) error {
	secs, err := s.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	return s.rebuildWrap(ctx, tx, c, secs, grants, org, source)
}

// grantInCase loads the case (locked) and one of its grants.
func (s *service) grantInCase(ctx context.Context, tx *sql.Tx, caseID, grantID string) (store.CaseRow, store.GrantRow, error) {
	c, err := s.store.CaseByID(ctx, tx, caseID, true)
	if errors.Is(err, ErrNotFound) {
		return c, store.GrantRow{}, errDenied
	}
	if err != nil {
		return c, store.GrantRow{}, err
	}
	grants, err := s.store.Grants(ctx, tx, caseID)
	if err != nil {
		return c, store.GrantRow{}, err
	}
	for _, g := range grants {
		if g.ID == grantID {
			return c, g, nil
		}
	}
	return c, store.GrantRow{}, errDenied
}

func (s *service) ActivateGrant(ctx context.Context, caseID, grantID string) (Grant, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Grant{}, err
	}
	var g store.GrantRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var c store.CaseRow
		if c, g, err = s.grantInCase(ctx, tx, caseID, grantID); err != nil {
			return err
		}
		// Only the grantee accepts.
		if g.OrgID != p.OrgID {
			return errDenied
		}
		if g.Status != GrantPending {
			return ErrInvalidState
		}
		g.Status, g.UpdatedAt = GrantActive, s.now()
		if err := s.store.SetGrantStatus(ctx, tx, g.ID, g.Status, g.UpdatedAt); err != nil {
			return err
		}
		// The keys are already in the grantee's wrap; the section MACs
		// that make them readable are written now.
		secs, err := s.store.Sections(ctx, tx, caseID)
		if err != nil {
			return err
		}
		grants, err := s.store.Grants(ctx, tx, caseID)
		if err != nil {
			return err
		}
		w, err := s.store.Wrap(ctx, tx, c.ID, g.OrgID)
		if err != nil {
			return fmt.Errorf("intake: case %s: grantee wrap: %w", c.ID, ErrIntegrity)
		}
		if err := s.store.PutMACs(ctx, tx, c.ID, g.OrgID, s.sectionMACs(g.OrgID, w.Wrap, secs, readableFor(secs, grants, g.OrgID))); err != nil {
			return err
		}
		if err := s.shareCovered(ctx, tx, c, g.OrgID, grants); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.activate", "grant", g.ID, event.Allowed))
	})
	if err != nil {
		return Grant{}, s.finish(ctx, err, "intake.grant.activate", caseID)
	}
	return g.Grant, nil
}

func (s *service) RevokeGrant(ctx context.Context, caseID, grantID string) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	// The referral service itself may revoke referral grants: it only
	// ever narrows access, and intake rebuilds the wrap from the owner's
	// keys on the owner's behalf. Its declines, expiries and withdrawals
	// come on its outbox instead (grant_events.go).
	onBehalf := p.IsService()
	if !onBehalf {
		if p, _, err = s.callerOrg(ctx); err != nil {
			return err
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, g, err := s.grantInCase(ctx, tx, caseID, grantID)
		if err != nil {
			return err
		}
		source := p.OrgID
		switch {
		case onBehalf && g.Purpose == "referral":
			source = c.OwnerOrg
		case onBehalf:
			return errDenied
		case p.OrgID != c.OwnerOrg && p.OrgID != g.OrgID:
			// The owner withdraws, the grantee declines; both hold the
			// keys the remaining wrap needs.
			return errDenied
		}
		if g.Status == GrantRevoked {
			return nil
		}
		if err := s.revokeReader(ctx, tx, c, g.OrgID, source, func(o store.GrantRow) bool { return o.ID == g.ID }); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.revoke", "grant", g.ID, event.Allowed))
	})
	return s.finish(ctx, err, "intake.grant.revoke", caseID)
}

func (s *service) ListGrants(ctx context.Context, caseID string) ([]Grant, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var out []Grant
	err = s.store.ReadTx(ctx, func(tx *sql.Tx) error {
		c, err := s.store.CaseByID(ctx, tx, caseID, false)
		if errors.Is(err, ErrNotFound) {
			return errDenied
		}
		if err != nil {
			return err
		}
		grants, err := s.store.Grants(ctx, tx, caseID)
		if err != nil {
			return err
		}
		out = visibleGrants(p, c, grants)
		if out == nil {
			return errDenied
		}
		return nil
	})
	if err != nil {
		return nil, s.finish(ctx, err, "intake.grant.list", caseID)
	}
	return out, nil
}

// visibleGrants: the owner sees every grant of its case, a grantee its
// own; nil means the caller sees nothing.
func visibleGrants(p auth.Principal, c store.CaseRow, grants []store.GrantRow) []Grant {
	if p.OrgID == "" {
		return nil
	}
	var out []Grant
	if c.OwnerOrg == p.OrgID {
		out = []Grant{}
	}
	for _, g := range grants {
		if c.OwnerOrg == p.OrgID || g.OrgID == p.OrgID {
			out = append(out, g.Grant)
		}
	}
	return out
}
