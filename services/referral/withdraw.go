package referral

import (
	"context"
	"database/sql"
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/kit"
)

// WithdrawInput is the body of a withdrawal. The owner (the sending
// organisation or the case's owner) needs none; a coordinator withdrawing
// another organisation's referral states an emergency as two codes.
type WithdrawInput struct {
	Reason string `json:"reason,omitempty"` // one of EmergencyReasons
	Note   string `json:"note,omitempty"`   // one of EmergencyNotes
}

// EmergencyReasons are why a coordinator may withdraw a referral its
// organisation does not own.
var EmergencyReasons = []string{
	"safety_risk", "provider_unsafe", "provider_unavailable", "person_moved", "duplicate_referral",
	"sender_unreachable",
}

// EmergencyNotes detail an emergency withdrawal. A note is a code, never
// free text: referral holds no keys to seal text with, and anything about
// the person belongs in the case record.
var EmergencyNotes = []string{
	"provider_unreachable", "provider_closed", "place_compromised", "trafficker_contact_suspected",
	"person_relocated_by_police", "person_in_hospital", "referred_elsewhere", "sender_asked_by_phone",
	"out_of_hours",
}

// ErrEmergencyReasonRequired refuses a coordinator's withdrawal of another
// organisation's referral without an emergency reason.
var ErrEmergencyReasonRequired = kit.NewError(http.StatusForbidden, CodeEmergencyReasonRequired,
	"only the sending organisation withdraws its referral; a coordinator may in an emergency, giving reason ("+
		joinCodes(EmergencyReasons)+") and note ("+joinCodes(EmergencyNotes)+")")

func validateWithdraw(in WithdrawInput) error {
	var bad []string
	if in.Reason != "" && !slices.Contains(EmergencyReasons, in.Reason) {
		bad = append(bad, "reason: must be one of "+joinCodes(EmergencyReasons))
	}
	if in.Note != "" && !slices.Contains(EmergencyNotes, in.Note) {
		bad = append(bad, "note: free text is not stored with a referral; give one of "+joinCodes(EmergencyNotes))
	}
	if (in.Reason == "") != (in.Note == "") && len(bad) == 0 {
		bad = append(bad, "reason, note: an emergency withdrawal gives both")
	}
	if len(bad) > 0 {
		return kit.Validation(joinMessages(bad))
	}
	return nil
}

func joinMessages(msgs []string) string {
	out := ""
	for i, m := range msgs {
		if i > 0 {
			out += "; "
		}
		out += m
	}
	return out
}

// owns reports whether p's organisation owns the referral: it sent it or
// owns the case.
func owns(p auth.Principal, r referralRow) bool {
	return p.OrgID != "" && (p.OrgID == r.SenderOrg || p.OrgID == r.CaseOwnerOrg)
}

// Withdraw ends a referral from the owning side, or a coordinator's in an
// emergency: open offers are withdrawn, every grant revoked and reserved
// places freed. A coordinator's withdrawal of another organisation's
// referral is recorded with its codes, audited as such and told to the
// sender.
func (s *service) Withdraw(ctx context.Context, id string, in WithdrawInput) (Referral, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(id) {
		return Referral{}, ErrNotFound
	}
	if err := validateWithdraw(in); err != nil {
		return Referral{}, err
	}
	var (
		row       referralRow
		cands     []candidateRow
		now       = s.now()
		emergency bool
	)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.lockPending(ctx, tx, id); err != nil {
			return err
		}
		var err error
		if row, cands, _, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		switch {
		case owns(p, row):
		case p.HasRole(auth.RoleCoordinator) && in.Reason != "":
			emergency = true
		case p.HasRole(auth.RoleCoordinator):
			return ErrEmergencyReasonRequired
		default:
			return ErrForbidden
		}
		return s.withdrawInTx(ctx, tx, p, &row, cands, in, emergency, now)
	})
	action := "referral.referral.withdraw"
	if emergency {
		action = "referral.referral.withdraw_emergency"
	}
	if err != nil {
		return Referral{}, s.finish(ctx, err, action, id)
	}
	s.wake()
	return s.view(p, row, cands, now), nil
}

func (s *service) withdrawInTx(ctx context.Context, tx *sql.Tx, p auth.Principal, row *referralRow, cands []candidateRow,
	in WithdrawInput, emergency bool, now time.Time) error {
	from := row.Status
	if from != StatusPending && from != StatusAccepted && from != StatusArrived && from != StatusAwaitingApproval {
		return transitionError(from)
	}
	ok, err := s.store.moveReferral(ctx, tx, row.ID, from, StatusWithdrawn, row.AcceptedOrg, 0, now)
	if err != nil || !ok {
		return guard(err, transitionError(StatusWithdrawn))
	}
	if err := s.store.Release(ctx, tx, row.AcceptedOrg, row.Service, row.PlacesReserved); err != nil {
		return err
	}
	row.Status, row.PlacesReserved, row.UpdatedAt = StatusWithdrawn, 0, now
	for i := range cands {
		c := &cands[i]
		if c.Status == OfferOffered || c.Status == OfferQueued {
			if c.Status == OfferOffered {
				if err := s.tell(ctx, tx, c.OrgID, *row, "withdrawn", nil); err != nil {
					return err
				}
			}
			if _, err := s.store.setOffer(ctx, tx, row.ID, c.OrgID, c.Status, OfferWithdrawn, now, ""); err != nil {
				return err
			}
			c.Status = OfferWithdrawn
		}
		if err := s.revokeGrant(ctx, tx, *row, c, grantchange.ReasonWithdrawn, now); err != nil {
			return err
		}
	}
	if row.AcceptedOrg != "" {
		if err := s.tell(ctx, tx, row.AcceptedOrg, *row, "withdrawn", nil); err != nil {
			return err
		}
	}
	if err := s.store.insertWithdrawal(ctx, tx, row.ID, p, emergency, in.Reason, in.Note, now); err != nil {
		return err
	}
	action := "referral.referral.withdraw"
	if emergency {
		action = "referral.referral.withdraw_emergency"
		// The owner learns at once that someone else withdrew its referral.
		if err := s.tell(ctx, tx, row.SenderOrg, *row, "withdrawn_by_coordinator", nil); err != nil {
			return err
		}
	}
	if row.Kind != KindExternal {
		f := s.fact(*row, facts.ReferralClosed, now)
		f.Outcome = StatusWithdrawn
		if err := s.facts(ctx, tx, f); err != nil {
			return err
		}
	}
	return s.audit(ctx, tx, s.rec.New(ctx, action, "referral", row.ID, event.Allowed))
}
