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
	p, err := auth.Required(ctx)
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
			if err := s.store.Release(ctx, tx, row.AcceptedOrg, row.Service, row.PlacesReserved); err != nil {
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

// endGrant tells intake the accepted provider's service ended
// (grants.Keeper.End); a grant intake already revoked has nothing to end.
func (s *service) endGrant(ctx context.Context, row referralRow, cands []candidateRow) {
	for _, c := range cands {
		if c.OrgID == row.AcceptedOrg && c.GrantID != "" && c.GrantState != grantRevoked {
			s.keeper.End(ctx, row.CaseID, row.ID, c.GrantID)
		}
	}
}

func reservedAfter(r referralRow, release bool) int {
	if release {
		return 0
	}
	return r.PlacesReserved
}
