package referral

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/grants"
)

// ErrOfferClosed answers a candidate whose own offer is no longer open.
var ErrOfferClosed = kit.NewError(http.StatusConflict, CodeInvalidTransition, "your offer is no longer open; allowed: none")

// advance keeps fan_out offers outstanding while queued candidates remain;
// with none outstanding and none left the referral has no provider, an
// unmet need for the coordinators' board.
func (s *service) advance(ctx context.Context, tx *sql.Tx, row *referralRow, cands []candidateRow, now time.Time) error {
	if row.Status != StatusPending {
		return nil
	}
	open := 0
	for _, c := range cands {
		if c.Status == OfferOffered {
			open++
		}
	}
	for i := range cands {
		if open >= row.FanOut {
			break
		}
		c := &cands[i]
		if c.Status != OfferQueued {
			continue
		}
		d := deadlineOf(s.routing, row.Urgency, now)
		ok, err := s.store.offer(ctx, tx, row.ID, c.OrgID, now, d)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		c.Status, c.OfferedAt, c.Deadline = OfferOffered, &now, &d
		open++
		if err := s.tell(ctx, tx, c.OrgID, *row, "offered", &d); err != nil {
			return err
		}
	}
	if open > 0 {
		return nil
	}
	ok, err := s.store.moveReferral(ctx, tx, row.ID, StatusPending, StatusNoProvider, "", 0, now)
	if err != nil || !ok {
		return err
	}
	row.Status, row.UpdatedAt = StatusNoProvider, now
	if err := s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.no_provider", "referral", row.ID, event.Allowed)); err != nil {
		return err
	}
	if err := s.facts(ctx, tx, s.fact(*row, facts.ReferralNoProvider, now)); err != nil {
		return err
	}
	if err := s.tell(ctx, tx, row.SenderOrg, *row, "no_provider", nil); err != nil {
		return err
	}
	return s.notify(ctx, tx, boardNotice(*row, now), false)
}

// load reads a referral and its candidates in tx, or errHidden when the
// caller may not see it.
func (s *service) load(ctx context.Context, tx *sql.Tx, p auth.Principal, id string) (referralRow, []candidateRow, access, error) {
	row, err := s.store.referral(ctx, tx, id)
	if errors.Is(err, ErrNotFound) {
		return row, nil, noAccess, errHidden
	}
	if err != nil {
		return row, nil, noAccess, err
	}
	if err := s.store.withDisclosure(ctx, tx, &row); err != nil {
		return row, nil, noAccess, err
	}
	cands, err := s.store.candidates(ctx, tx, id)
	if err != nil {
		return row, nil, noAccess, err
	}
	a := accessOf(p, row, cands)
	if a == noAccess {
		return row, nil, a, errHidden
	}
	return row, cands, a, nil
}

var errHidden = errors.New("referral: hidden from the caller")

// finish turns errHidden into a 404 with a denied audit event.
func (s *service) finish(ctx context.Context, err error, action, id string) error {
	if errors.Is(err, errHidden) {
		return s.deny(ctx, action, "referral", id, ErrNotFound)
	}
	if err != nil && kit.AsError(err).Status == http.StatusForbidden {
		return s.deny(ctx, action, "referral", id, err)
	}
	return err
}

func findOffer(cands []candidateRow, org string) *candidateRow {
	for i := range cands {
		if cands[i].OrgID == org {
			return &cands[i]
		}
	}
	return nil
}

func (s *service) Accept(ctx context.Context, id string) (Referral, error) {
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
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.lockPending(ctx, tx, id); err != nil {
			return err
		}
		var err error
		if row, cands, _, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		mine := findOffer(cands, p.OrgID)
		if mine == nil {
			return ErrForbidden
		}
		if row.Status != StatusPending {
			return transitionError(row.Status)
		}
		if mine.Status != OfferOffered || !now.Before(*mine.Deadline) {
			return ErrOfferClosed
		}
		if ok, err := s.store.setOffer(ctx, tx, id, p.OrgID, OfferOffered, OfferAccepted, now, ""); err != nil || !ok {
			return guard(err, ErrOfferClosed)
		}
		need := s.routing.Need(row.Service, row.GroupSize)
		if ok, err := s.store.moveReferral(ctx, tx, id, StatusPending, StatusAccepted, p.OrgID, need, now); err != nil || !ok {
			return guard(err, transitionError(StatusAccepted))
		}
		if ok, err := s.store.Reserve(ctx, tx, p.OrgID, row.Service, need); err != nil || !ok {
			return guard(err, ErrNoCapacity)
		}
		mine.Status, mine.Replied = OfferAccepted, &now
		row.Status, row.AcceptedOrg, row.PlacesReserved, row.UpdatedAt = StatusAccepted, p.OrgID, need, now
		// The first acceptance wins: every other offer is withdrawn and its
		// grant revoked.
		for i := range cands {
			c := &cands[i]
			if c.OrgID == p.OrgID || c.Status != OfferOffered && c.Status != OfferQueued {
				continue
			}
			wasOffered := c.Status == OfferOffered
			if _, err := s.store.setOffer(ctx, tx, id, c.OrgID, c.Status, OfferWithdrawn, now, ""); err != nil {
				return err
			}
			c.Status = OfferWithdrawn
			if err := s.revokeGrant(ctx, tx, row, c, grantchange.ReasonWithdrawn, now); err != nil {
				return err
			}
			if wasOffered {
				if err := s.tell(ctx, tx, c.OrgID, row, "withdrawn", nil); err != nil {
					return err
				}
			}
		}
		if err := s.store.UpdateMedian(ctx, tx, p.OrgID); err != nil {
			return err
		}
		f := s.fact(row, facts.ReferralAccepted, now)
		f.ResponseSeconds = seconds(mine.OfferedAt, now)
		if err := s.facts(ctx, tx, f); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, row.SenderOrg, row, "accepted", nil); err != nil {
			return err
		}
		if err := s.idem.Record(ctx, tx, http.StatusOK, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.accept", "referral", id, event.Allowed))
	})
	if err != nil {
		return Referral{}, s.finish(ctx, err, "referral.referral.accept", id)
	}
	s.wake()
	if err := s.activate(ctx, row, cands); err != nil {
		return Referral{}, err
	}
	return s.view(p, row, cands, now), nil
}

// activate makes the accepting organisation's pending grant live
// (grants.Keeper.Activate).
func (s *service) activate(ctx context.Context, row referralRow, cands []candidateRow) error {
	c := findOffer(cands, row.AcceptedOrg)
	if c == nil || c.GrantState != grantPending || c.GrantID == "" {
		return nil
	}
	if err := s.keeper.Activate(ctx, row.CaseID, row.ID, c.OrgID, c.GrantID); err != nil {
		return err
	}
	c.GrantState = grantActive
	return nil
}

// revokeGrant marks c's grant revoked for reason and asks intake, in tx,
// on the outbox, to revoke it (grants.Revoke).
func (s *service) revokeGrant(ctx context.Context, tx *sql.Tx, row referralRow, c *candidateRow, reason string, now time.Time) error {
	if c.GrantState == grantRevoked {
		return nil
	}
	c.GrantState, c.GrantReason = grantRevoked, reason
	return grants.Revoke(ctx, tx, s.ob, grants.Candidate{CaseID: row.CaseID, ReferralID: row.ID, OrgID: c.OrgID, GrantID: c.GrantID},
		reason, now)
}

// ErrFreeTextNote refuses a decline note that is not a code.
var ErrFreeTextNote = kit.Validation("note: free text is not stored with a referral; record it in the case record, " +
	"or give one of " + joinCodes(DeclineNotes))

func (s *service) Decline(ctx context.Context, id string, in DeclineInput) (Referral, error) {
	reason := in.Reason
	p, err := auth.Required(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(id) {
		return Referral{}, ErrNotFound
	}
	if !slices.Contains(DeclineReasons, reason) {
		return Referral{}, kit.Validation("reason: must be one of " + joinCodes(DeclineReasons))
	}
	if in.Note != "" && !slices.Contains(DeclineNotes, in.Note) {
		return Referral{}, ErrFreeTextNote
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
		var err error
		if row, cands, _, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		mine := findOffer(cands, p.OrgID)
		if mine == nil {
			return ErrForbidden
		}
		if row.Status != StatusPending {
			return transitionError(row.Status)
		}
		if mine.Status != OfferOffered {
			return ErrOfferClosed
		}
		if ok, err := s.store.setOffer(ctx, tx, id, p.OrgID, OfferOffered, OfferDeclined, now, reason); err != nil || !ok {
			return guard(err, ErrOfferClosed)
		}
		mine.Status, mine.Replied, mine.DeclineReason = OfferDeclined, &now, reason
		if in.Note != "" {
			if err := s.store.setDeclineNote(ctx, tx, id, p.OrgID, in.Note); err != nil {
				return err
			}
			mine.DeclineNote = in.Note
		}
		if err := s.revokeGrant(ctx, tx, row, mine, grantchange.ReasonDeclined, now); err != nil {
			return err
		}
		if err := s.store.UpdateMedian(ctx, tx, p.OrgID); err != nil {
			return err
		}
		f := s.fact(row, facts.ReferralDeclined, now)
		f.Outcome, f.ResponseSeconds = reason, seconds(mine.OfferedAt, now)
		if err := s.facts(ctx, tx, f); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, row.SenderOrg, row, "declined", nil); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.decline", "referral", id, event.Allowed)); err != nil {
			return err
		}
		if err := s.idem.Record(ctx, tx, http.StatusOK, id); err != nil {
			return err
		}
		return s.advance(ctx, tx, &row, cands, now)
	})
	if err != nil {
		return Referral{}, s.finish(ctx, err, "referral.referral.decline", id)
	}
	s.wake()
	return s.view(p, row, cands, now), nil
}

// guard returns a storage failure as itself, and otherwise the conflict.
func guard(err, conflict error) error {
	if err != nil {
		return err
	}
	return conflict
}
