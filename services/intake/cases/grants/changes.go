package grants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// GrantInCase loads the case (locked) and one of its grants; a case or
// grant that does not exist is ErrDenied.
func (s *Grants) GrantInCase(ctx context.Context, tx *sql.Tx, caseID, grantID string) (store.CaseRow, store.GrantRow, error) {
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

// ActivateGrant implements Service.
func (s *Grants) ActivateGrant(ctx context.Context, caseID, grantID string) (Grant, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Grant{}, err
	}
	var g store.GrantRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var c store.CaseRow
		if c, g, err = s.GrantInCase(ctx, tx, caseID, grantID); err != nil {
			return err
		}
		// Only the grantee accepts.
		if g.OrgID != p.OrgID {
			return errDenied
		}
		if g.Status != casefile.GrantPending {
			return ErrInvalidState
		}
		g.Status, g.UpdatedAt = casefile.GrantActive, s.now()
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
		readable := s.cw.ReadableFor(secs, grants, g.OrgID)
		if err := s.store.PutMACs(ctx, tx, c.ID, g.OrgID, s.cw.SectionMACs(g.OrgID, w.Wrap, secs, readable)); err != nil {
			return err
		}
		if err := s.cw.ShareCovered(ctx, tx, c, g.OrgID, grants); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.activate", "grant", g.ID, event.Allowed))
	})
	if err != nil {
		return Grant{}, s.finish(ctx, err, "intake.grant.activate", caseID)
	}
	return g.Grant, nil
}

// RevokeGrant implements Service: the owner withdraws, the grantee
// declines. The referral service revokes the grants of its referrals
// through intake's RevokeReferralGrant and its outbox (intake's
// grant_events.go), which check the grant is that referral's.
func (s *Grants) RevokeGrant(ctx context.Context, caseID, grantID string) error {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, g, err := s.GrantInCase(ctx, tx, caseID, grantID)
		if err != nil {
			return err
		}
		// Both hold the keys the remaining wrap needs.
		if p.OrgID != c.OwnerOrg && p.OrgID != g.OrgID {
			return errDenied
		}
		if g.Status == casefile.GrantRevoked {
			return nil
		}
		if err := s.cw.RevokeReader(ctx, tx, c, g.OrgID, p.OrgID, grantchange.ReasonRevoked, isGrant(g)); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.revoke", "grant", g.ID, event.Allowed))
	})
	return s.finish(ctx, err, "intake.grant.revoke", caseID)
}

// isGrant matches g alone among an organisation's grants.
func isGrant(g store.GrantRow) func(store.GrantRow) bool {
	return func(o store.GrantRow) bool { return o.ID == g.ID }
}

// ListGrants implements Service.
func (s *Grants) ListGrants(ctx context.Context, caseID string) ([]Grant, error) {
	p, err := auth.Required(ctx)
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

// A provider's grant ends when its service ends. The referral service
// calls EndGrant when a referral is completed or the person left; the
// grant stays active for the follow-up window of the workflow policy
// (grant_follow_up_days), then EndGrants revokes it like any revocation
// (Casework.RevokeReader): wrap rebuilt, what it could read re-keyed,
// entry keys dropped. Entries written after that are not wrapped to it.

// EndGrant marks the end of the service a grant was made for. The
// grantee's users, the owner's, or the referral service on the grantee's
// behalf (referral grants only) may call it; a second call never extends
// the window.
func (s *Grants) EndGrant(ctx context.Context, caseID, grantID string) (Grant, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Grant{}, err
	}
	onBehalf := p.IsService()
	if !onBehalf {
		if p, _, err = s.callerOrg(ctx); err != nil {
			return Grant{}, err
		}
	}
	var g store.GrantRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var c store.CaseRow
		if c, g, err = s.GrantInCase(ctx, tx, caseID, grantID); err != nil {
			return err
		}
		switch {
		case onBehalf && g.Purpose != "referral":
			return errDenied
		case !onBehalf && p.OrgID != g.OrgID && p.OrgID != c.OwnerOrg:
			return errDenied
		case g.Status != casefile.GrantActive:
			return ErrInvalidState
		}
		now := s.now()
		ends := now.AddDate(0, 0, s.grantFollowUpDays)
		ends, err := s.store.EndGrant(ctx, tx, g.ID, ends)
		if err != nil {
			return err
		}
		g.EndsAt = &ends
		if !ends.After(now) {
			if err := s.cw.RevokeReader(ctx, tx, c, g.OrgID, c.OwnerOrg, grantchange.ReasonEnded, isGrant(g)); err != nil {
				return err
			}
			g.Status = casefile.GrantRevoked
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.end", "grant", g.ID, event.Allowed))
	})
	if err != nil {
		return Grant{}, s.finish(ctx, err, "intake.grant.end", caseID)
	}
	return g.Grant, nil
}

// EndGrants revokes every grant whose follow-up window has passed at now
// and returns how many. Intake's Admin runs it with the break-glass
// expiry (nrm serve).
func (s *Grants) EndGrants(ctx context.Context, now time.Time) (int, error) {
	ctx = auth.WithPrincipal(ctx, auth.System())
	due, err := s.store.GrantsEnded(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			c, g, err := s.GrantInCase(ctx, tx, d.CaseID, d.ID)
			if err != nil || g.Status != casefile.GrantActive {
				return err
			}
			if err := s.cw.RevokeReader(ctx, tx, c, g.OrgID, c.OwnerOrg, grantchange.ReasonEnded, isGrant(g)); err != nil {
				return err
			}
			return s.cw.Emit(ctx, tx, nil, s.rec.New(ctx, "intake.grant.ended", "grant", g.ID, event.Allowed))
		})
		if err != nil {
			return n, fmt.Errorf("intake: grant end %s: %w", d.ID, err)
		}
		n++
	}
	return n, nil
}
