package intake

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/services/intake/store"
)

// A provider's grant ends when its service ends. The referral service
// calls EndGrant when a referral is completed or the person left; the
// grant stays active for the follow-up window of the workflow policy
// (grant_follow_up_days), then Admin.EndGrants revokes it like any
// revocation (revocation.go): wrap rebuilt, what it could read re-keyed,
// entry keys dropped. Entries written after that are not wrapped to it.

// EndGrant marks the end of the service a grant was made for. The
// grantee's users, the owner's, or the referral service on the grantee's
// behalf (referral grants only) may call it; a second call never extends
// the window.
func (s *service) EndGrant(ctx context.Context, caseID, grantID string) (Grant, error) {
	p, err := principal(ctx)
	if err != nil {
		return Grant{}, err
	}
	onBehalf := p.IsService()
	if !onBehalf {
		if p, _, err = s.callerOrg(ctx); err != nil {
			return Grant{}, err
		}
	}
	days := s.pol.GrantFollowUpDays
	var g store.GrantRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var c store.CaseRow
		if c, g, err = s.grantInCase(ctx, tx, caseID, grantID); err != nil {
			return err
		}
		switch {
		case onBehalf && g.Purpose != "referral":
			return errDenied
		case !onBehalf && p.OrgID != g.OrgID && p.OrgID != c.OwnerOrg:
			return errDenied
		case g.Status != GrantActive:
			return ErrInvalidState
		}
		now := s.now()
		ends := now.AddDate(0, 0, days)
		ends, err := s.store.EndGrant(ctx, tx, g.ID, ends)
		if err != nil {
			return err
		}
		g.EndsAt = &ends
		if !ends.After(now) {
			if err := s.revokeReaderFor(ctx, tx, c, g.OrgID, c.OwnerOrg, grantchange.ReasonEnded, func(o store.GrantRow) bool { return o.ID == g.ID }); err != nil {
				return err
			}
			g.Status = GrantRevoked
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.grant.end", "grant", g.ID, event.Allowed))
	})
	if err != nil {
		return Grant{}, s.finish(ctx, err, "intake.grant.end", caseID)
	}
	return g.Grant, nil
}

// EndGrants revokes every grant whose follow-up window has passed at now
// and returns how many. Run it with the break-glass expiry (nrm serve).
func (a *Admin) EndGrants(ctx context.Context, now time.Time) (int, error) {
	s := a.s
	ctx = auth.WithPrincipal(ctx, auth.System())
	due, err := s.store.GrantsEnded(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			c, g, err := s.grantInCase(ctx, tx, d.CaseID, d.ID)
			if err != nil || g.Status != GrantActive {
				return err
			}
			if err := s.revokeReaderFor(ctx, tx, c, g.OrgID, c.OwnerOrg, grantchange.ReasonEnded, func(o store.GrantRow) bool { return o.ID == g.ID }); err != nil {
				return err
			}
			return s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.grant.ended", "grant", g.ID, event.Allowed))
		})
		if err != nil {
			return n, fmt.Errorf("intake: grant end %s: %w", d.ID, err)
		}
		n++
	}
	return n, nil
}
