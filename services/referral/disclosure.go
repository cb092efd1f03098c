package referral

import (
	"context"
	"database/sql"
	"errors"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/referral/external"
)

// Package hands out the package of an external referral to the sending
// organisation: the bytes built when the disclosure was recorded, never a
// fresh read of the case. Before each download the caller's relation, the
// legal basis and, for a consent basis, the person's current consent are
// checked again (intake); downloads are limited in number and time by the
// policy; each one's hash, time and actor are recorded and audited
// (referral.disclosure).
func (s *service) Package(ctx context.Context, id string) (DisclosurePackage, error) {
	const action = "referral.disclosure"
	p, err := auth.Required(ctx)
	if err != nil {
		return DisclosurePackage{}, err
	}
	if !validID(id) {
		return DisclosurePackage{}, ErrNotFound
	}
	row, err := s.store.referral(ctx, s.db, id)
	if errors.Is(err, ErrNotFound) || err == nil && (row.Kind != KindExternal || p.OrgID == "" || p.OrgID != row.SenderOrg) {
		return DisclosurePackage{}, s.deny(ctx, action, "referral", id, ErrNotFound)
	}
	if err != nil {
		return DisclosurePackage{}, err
	}
	switch row.Status { // no package before a cross-border referral is approved
	case StatusAwaitingApproval:
		return DisclosurePackage{}, ErrApprovalRequired
	case StatusDisclosed:
	default:
		return DisclosurePackage{}, transitionError(row.Status)
	}
	// The relation is checked again: a case transferred since, or a role
	// taken away, stops the package.
	sum, err := s.summary(ctx, row.CaseID, action)
	if err != nil {
		return DisclosurePackage{}, err
	}
	if err := s.desk.Standing(ctx, action, p, id, sum.OwnerOrg, row.LegalBasis); err != nil {
		return DisclosurePackage{}, err
	}
	return s.desk.Download(ctx, action, id, p, s.now(), func(tx *sql.Tx) error {
		return s.audit(ctx, tx, s.rec.New(ctx, action, "case", row.CaseID, event.Allowed))
	})
}

// withDisclosure fills an external referral's package id and recipient
// fingerprint for its view.
func (st *store) withDisclosure(ctx context.Context, q queryer, r *referralRow) error {
	if r.Kind != KindExternal {
		return nil
	}
	d, err := external.Load(ctx, q, r.ID)
	if errors.Is(err, ErrNotFound) {
		return nil // recorded before packages existed: codes only
	}
	if err != nil {
		return err
	}
	r.PackageID, r.RecipientFingerprint = d.PackageID, d.Fingerprint
	r.RecipientKind, r.DisclosureID, r.ApprovedBy = d.RecipientKind, d.DisclosureID, d.ApprovedBy
	return nil
}
