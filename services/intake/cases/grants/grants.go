package grants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// The grants of a case: GrantPending is made by the owner's officer when
// referring (one per candidate), ActivateGrant by the grantee on
// acceptance, RevokeGrant by either on decline, expiry or withdrawal,
// EndGrant when the grant's service ends (changes.go). The key machinery
// under them (wraps, re-keying, the entry keys, telling referral) is the
// case work's (Casework).

// mayShare applies the consent rule of a grant or a transfer to c
// (casefile.MayShare).
func (s *Grants) mayShare(c store.CaseRow, consents []Consent, sections []string, to casefile.Recipient) error {
	return casefile.MayShare(casefile.Shared{Route: c.Route, Status: c.Status, TreatedAsChild: c.TreatedAsChild},
		consents, sections, to, s.now())
}

// GrantPending implements Service.
func (s *Grants) GrantPending(ctx context.Context, req GrantRequest) (Grant, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Grant{}, err
	}
	if !p.IsService() {
		if p, _, err = s.callerOrg(ctx); err != nil {
			return Grant{}, err
		}
	}
	req, err = casefile.CheckGrantRequest(req)
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
	protects, err := s.cw.ProtectsChildren(ctx, grantee)
	if err != nil {
		return Grant{}, err
	}
	to := casefile.Recipient{Org: grantee, ProtectsChildren: protects}
	var g store.GrantRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		row, source, err := s.grantSource(ctx, tx, p, req)
		if err != nil {
			return err
		}
		if err := s.cw.RefuseDuringBreakGlass(ctx, tx, p, req.CaseID); err != nil {
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
		to.Guardian = w.GuardianOrg == grantee.ID
		if err := s.mayShare(row, consents, req.Sections, to); err != nil {
			return err
		}
		now := s.now()
		g = store.GrantRow{Grant: Grant{
			ID: event.NewID(), CaseID: row.ID, OrgID: grantee.ID, Sections: req.Sections, Status: casefile.GrantPending,
			Purpose: req.Purpose, ReferralID: req.ReferralID, GrantedBy: grantedBy(p), CreatedAt: now, UpdatedAt: now,
		}, Service: req.Service}
		if err := s.store.InsertGrant(ctx, tx, g); err != nil {
			return err
		}
		// The owner's officer prepares the grantee's wrap now, from the
		// owner's own keys; it becomes readable on acceptance.
		if err := s.cw.RebuildWrap(ctx, tx, row, grantee.ID, source); err != nil {
			return err
		}
		if err := s.idem.Record(ctx, tx, http.StatusCreated, row.ID, g.ID); err != nil {
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
func (s *Grants) grantSource(ctx context.Context, tx *sql.Tx, p auth.Principal, req GrantRequest) (store.CaseRow, string, error) {
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
		return casefile.GrantedByIntake
	}
	return p.UserID
}
