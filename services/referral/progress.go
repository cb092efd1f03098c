package referral

import (
	"context"
	"database/sql"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
)

// step is a move of an accepted referral by the accepting organisation.
type step struct {
	action, from, to string
	release          bool // frees the reserved places
}

var (
	stepArrive   = step{"arrived", StatusAccepted, StatusArrived, false}
	stepComplete = step{"complete", StatusArrived, StatusCompleted, true}
	stepLeave    = step{"left", StatusArrived, StatusLeft, true}
)

func (s *service) Arrive(ctx context.Context, id string) (Referral, error) {
	return s.progress(ctx, id, stepArrive)
}

func (s *service) Complete(ctx context.Context, id string) (Referral, error) {
	return s.progress(ctx, id, stepComplete)
}

func (s *service) Leave(ctx context.Context, id string) (Referral, error) {
	return s.progress(ctx, id, stepLeave)
}

func (s *service) progress(ctx context.Context, id string, st step) (Referral, error) {
	p, err := principal(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(id) {
		return Referral{}, ErrNotFound
	}
	var (
		row   referralRow
		cands []candidateRow
		now   = s.now()
	)
	action := "referral.referral." + st.action
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.lockPending(ctx, tx, id); err != nil {
			return err
		}
		var err error
		if row, cands, _, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		if row.AcceptedOrg != p.OrgID || row.AcceptedOrg == "" {
			if row.Status == StatusPending || row.Status == StatusNoProvider {
				return transitionError(row.Status)
			}
			return ErrForbidden
		}
		if row.Status != st.from {
			return transitionError(row.Status)
		}
		ok, err := s.store.moveReferral(ctx, tx, id, st.from, st.to, row.AcceptedOrg, reservedAfter(row, st.release), now)
		if err != nil || !ok {
			return guard(err, transitionError(st.to))
		}
		if st.release {
			if err := s.store.release(ctx, tx, row.AcceptedOrg, row.Service, row.PlacesReserved); err != nil {
				return err
			}
			row.PlacesReserved = 0
			f := s.fact(row, facts.ReferralClosed, now)
			f.Outcome = st.to
			if err := s.facts(ctx, tx, f); err != nil {
				return err
			}
		}
		row.Status, row.UpdatedAt = st.to, now
		if err := s.tell(ctx, tx, row.SenderOrg, row, st.to, nil); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, action, "referral", id, event.Allowed))
	})
	if err != nil {
		return Referral{}, s.finish(ctx, err, action, id)
	}
	if st.release {
		s.endGrant(ctx, row, cands)
	}
	return s.view(p, row, cands, now), nil
}

// endGrant tells intake that the accepted provider's service ended, so its
// grant ends after the follow-up window. A failure is logged: the grant
// then stays until revoked otherwise.
func (s *service) endGrant(ctx context.Context, row referralRow, cands []candidateRow) {
	for _, c := range cands {
		if c.OrgID != row.AcceptedOrg || c.GrantID == "" {
			continue
		}
		_, err := s.grants.EndGrant(ctx, row.CaseID, c.GrantID)
		if err != nil && !isService(ctx) {
			_, err = s.grants.EndGrant(serviceContext(ctx), row.CaseID, c.GrantID)
		}
		if err != nil {
			_ = s.logger.Log("msg", "ending the grant with the service failed", "referral", row.ID, "err", err)
		}
	}
}

func reservedAfter(r referralRow, release bool) int {
	if release {
		return 0
	}
	return r.PlacesReserved
}

// Withdraw ends a referral from the sending side (or the coordinators'):
// open offers are withdrawn, every grant revoked and reserved places freed.
func (s *service) Withdraw(ctx context.Context, id string) (Referral, error) {
	p, err := principal(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(id) {
		return Referral{}, ErrNotFound
	}
	var (
		row   referralRow
		cands []candidateRow
		now   = s.now()
	)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.lockPending(ctx, tx, id); err != nil {
			return err
		}
		var (
			err error
			a   access
		)
		if row, cands, a, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		if a != fullAccess || !p.HasRole(auth.RoleCoordinator) && p.OrgID != row.SenderOrg {
			return ErrForbidden
		}
		from := row.Status
		if from != StatusPending && from != StatusAccepted && from != StatusArrived {
			return transitionError(from)
		}
		ok, err := s.store.moveReferral(ctx, tx, id, from, StatusWithdrawn, row.AcceptedOrg, 0, now)
		if err != nil || !ok {
			return guard(err, transitionError(StatusWithdrawn))
		}
		if err := s.store.release(ctx, tx, row.AcceptedOrg, row.Service, row.PlacesReserved); err != nil {
			return err
		}
		row.Status, row.PlacesReserved, row.UpdatedAt = StatusWithdrawn, 0, now
		for i := range cands {
			c := &cands[i]
			if c.Status == OfferOffered || c.Status == OfferQueued {
				if c.Status == OfferOffered {
					if err := s.tell(ctx, tx, c.OrgID, row, "withdrawn", nil); err != nil {
						return err
					}
				}
				if _, err := s.store.setOffer(ctx, tx, id, c.OrgID, c.Status, OfferWithdrawn, now, ""); err != nil {
					return err
				}
				c.Status = OfferWithdrawn
			}
			if c.GrantState != grantRevoked {
				c.GrantState = grantRevoke
				if err := s.store.setGrantState(ctx, tx, id, c.OrgID, grantRevoke); err != nil {
					return err
				}
			}
		}
		if row.AcceptedOrg != "" {
			if err := s.tell(ctx, tx, row.AcceptedOrg, row, "withdrawn", nil); err != nil {
				return err
			}
		}
		f := s.fact(row, facts.ReferralClosed, now)
		f.Outcome = StatusWithdrawn
		if err := s.facts(ctx, tx, f); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.withdraw", "referral", id, event.Allowed))
	})
	if err != nil {
		return Referral{}, s.finish(ctx, err, "referral.referral.withdraw", id)
	}
	s.revokeDue(ctx, id)
	return s.view(p, row, cands, now), nil
}
