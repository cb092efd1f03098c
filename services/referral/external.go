package referral

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/referral/external"
)

// createExternal records a referral outside the system or across a border
// as the owner's disclosure: codes, the legal basis and the recipient's
// public key. Within the country it is recorded in the case's disclosures
// at once (intake checks the relation and, for a consent basis, the
// consent); to another country it waits for a second person's approval.
// The package is built when the disclosure is recorded, from the sections
// as they are then, and kept only encrypted to the recipient.
func (s *service) createExternal(ctx context.Context, p auth.Principal, sum CaseSummary, row referralRow, in NewReferral) (Referral, error) {
	const action = "referral.referral.create"
	row.Status, row.FanOut = StatusDisclosed, 0
	d := external.Record{
		ReferralID: row.ID, PackageID: event.NewID(), CaseID: row.CaseID, LegalBasis: row.LegalBasis,
		Destination: row.Destination, Recipient: in.Recipient, Fingerprint: external.Fingerprint(in.Recipient), Sections: row.Sections,
		ActorUser: p.UserID, ActorOrg: p.OrgID, CreatedAt: row.CreatedAt, RecipientKind: in.RecipientKind,
	}
	cross, err := s.desk.Open(ctx, action, p, sum.OwnerOrg, &d, spec(row))
	if err != nil {
		return Referral{}, err
	}
	if cross {
		row.Status = StatusAwaitingApproval
	}
	row.PackageID, row.RecipientFingerprint = d.PackageID, d.Fingerprint
	row.RecipientKind, row.DisclosureID = d.RecipientKind, d.DisclosureID
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertReferral(ctx, tx, row); err != nil {
			return err
		}
		if err := external.Insert(ctx, tx, d); err != nil {
			return err
		}
		if err := s.idem.Record(ctx, tx, http.StatusCreated, row.ID); err != nil {
			return err
		}
		evs := []event.Audit{s.rec.New(ctx, action, "referral", row.ID, event.Allowed)}
		if row.Status == StatusDisclosed {
			evs = append(evs, s.rec.New(ctx, "referral.disclosure.record", "case", row.CaseID, event.Allowed))
		} else if err := s.tell(ctx, tx, row.SenderOrg, row, "approval_requested", nil); err != nil {
			return err
		}
		return s.audit(ctx, tx, evs...)
	})
	if err != nil {
		return Referral{}, err
	}
	return s.view(p, row, nil, row.CreatedAt), nil
}

// Approve records a second person's approval of a cross-border referral:
// another user of the sending organisation who may disclose the case
// too. The disclosure is then recorded in the case, as the approver, and
// the package can be produced.
func (s *service) Approve(ctx context.Context, id string) (Referral, error) {
	const action = "referral.disclosure.approve"
	p, err := auth.Required(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(id) {
		return Referral{}, ErrNotFound
	}
	if err := s.desk.Available(); err != nil {
		return Referral{}, err
	}
	row, err := s.store.referral(ctx, s.db, id)
	if errors.Is(err, ErrNotFound) || err == nil && (row.Kind != KindExternal || p.OrgID == "" || p.OrgID != row.SenderOrg) {
		return Referral{}, s.deny(ctx, action, "referral", id, ErrNotFound)
	}
	if err != nil {
		return Referral{}, err
	}
	if row.Status != StatusAwaitingApproval {
		return Referral{}, transitionError(row.Status)
	}
	if p.UserID == "" || p.UserID == row.SenderUser {
		return Referral{}, s.deny(ctx, action, "referral", id, ErrSecondPerson)
	}
	sum, err := s.summary(ctx, row.CaseID, action)
	if err != nil {
		return Referral{}, err
	}
	now := s.now()
	d, err := s.desk.Approve(ctx, action, p, id, sum.OwnerOrg, spec(row), now)
	if err != nil {
		return Referral{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := s.store.moveReferral(ctx, tx, id, StatusAwaitingApproval, StatusDisclosed, "", 0, now)
		if err != nil || !ok {
			return guard(err, transitionError(StatusDisclosed))
		}
		if err := external.Approved(ctx, tx, d, p.UserID, now); err != nil {
			return err
		}
		row.Status, row.UpdatedAt = StatusDisclosed, now
		return s.audit(ctx, tx,
			s.rec.New(ctx, action, "referral", id, event.Allowed),
			s.rec.New(ctx, "referral.disclosure.record", "case", row.CaseID, event.Allowed))
	})
	if err != nil {
		return Referral{}, err
	}
	row.PackageID, row.RecipientFingerprint, row.RecipientKind = d.PackageID, d.Fingerprint, d.RecipientKind
	row.DisclosureID, row.ApprovedBy = d.DisclosureID, p.UserID
	return s.view(p, row, nil, now), nil
}

// spec is what an external referral's package tells of the referral;
// the desk adds the disclosure's part.
func spec(row referralRow) PackageSpec {
	return PackageSpec{ReferralID: row.ID, Service: row.Service, Urgency: row.Urgency, Region: row.Region,
		Gender: row.Gender, AgeGroup: row.AgeGroup, TreatedAsChild: row.TreatedAsChild,
		Languages: slices.Clone(row.Languages), GroupSize: row.GroupSize}
}
