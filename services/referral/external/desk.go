package external

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Desk is the sending organisation's side of external referrals: who may
// make one, intake's record of the disclosure and the package it builds,
// and each download of that package within the policy's limits. The
// referral rows stay with the referral service; the desk owns
// referral_disclosures and referral_packages.
type Desk struct {
	DB *db.DB
	// Disclosures is intake, adapted; nil makes external referrals
	// unavailable (503).
	Disclosures Disclosures
	Rules       Rules
	// Deny audits a refusal and returns answer (the referral service's).
	Deny func(ctx context.Context, action, objectType, objectID string, answer error) error
	// OrgKind returns an organisation's kind.
	OrgKind func(ctx context.Context, orgID string) (string, error)
}

var errNoRecord = fmt.Errorf("referral: external referrals: no disclosure record: %w", kit.ErrUnavailable)

// Available refuses with 503 when no disclosure record is wired.
func (d *Desk) Available() error {
	if d.Disclosures == nil {
		return errNoRecord
	}
	return nil
}

// CheckRecipient has intake check an external organisation's age public
// key; without intake external referrals are unavailable.
func (d *Desk) CheckRecipient(r string) (string, error) {
	if err := d.Available(); err != nil {
		return "", err
	}
	return d.Disclosures.CheckRecipient(r)
}

// MayDisclose: the case owner's officers and caseworkers; a decision
// maker of the competent authority for international cooperation. Intake
// checks the relation again when it records.
func (d *Desk) MayDisclose(ctx context.Context, p auth.Principal, ownerOrg, basis string) (bool, error) {
	if p.OrgID == "" {
		return false, nil
	}
	if p.OrgID == ownerOrg && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker)) {
		return true, nil
	}
	if basis != LegalBasisInternationalCooperation || !p.HasRole(auth.RoleDecisionMaker) {
		return false, nil
	}
	kind, err := d.OrgKind(ctx, p.OrgID)
	if err != nil {
		return false, fmt.Errorf("referral: organisation %s: %w: %w", p.OrgID, kit.ErrUnavailable, err)
	}
	return kind == "competent_authority", nil
}

// Disclose has intake build the package of spec from the sections as the
// caller may read them now (kept only encrypted to the recipient), then
// record the disclosure in the case as the caller; r gets both.
func (d *Desk) Disclose(ctx context.Context, action string, spec Spec, r *Record, now time.Time) error {
	spec.PackageID, spec.ProducedAt, spec.LegalBasis, spec.Destination = r.PackageID, now, r.LegalBasis, r.Destination
	spec.Sections, spec.Recipient = r.Sections, r.Recipient
	armored, err := d.Disclosures.BuildPackage(ctx, r.CaseID, spec)
	if errors.Is(err, kit.ErrNotFound) {
		return d.Deny(ctx, action, "case", r.CaseID, kit.ErrNotFound)
	}
	if err != nil {
		if ke := kit.AsError(err); ke != kit.ErrInternal {
			return ke
		}
		return fmt.Errorf("referral: package %s: %w: %w", r.PackageID, kit.ErrUnavailable, err)
	}
	hash := sha256.Sum256(armored)
	r.Package, r.PackageSHA256, r.BuiltAt = string(armored), hex.EncodeToString(hash[:]), &now
	id, err := d.Disclosures.Disclose(ctx, r.CaseID, Input{
		RecipientKind: r.RecipientKind, LegalBasis: r.LegalBasis, Sections: r.Sections,
	})
	if err != nil {
		return d.answer(ctx, action, r.CaseID, "record disclosure", err, false)
	}
	r.DisclosureID = id
	return nil
}

// Open starts an external referral by p of a case of ownerOrg: the
// record r is complete but for the disclosure. Within the country the
// disclosure is recorded and the package built at once; across a border
// (true) both wait for a second person's approval.
func (d *Desk) Open(ctx context.Context, action string, p auth.Principal, ownerOrg string, r *Record, spec Spec) (bool, error) {
	if err := d.Available(); err != nil {
		return false, err
	}
	ok, err := d.MayDisclose(ctx, p, ownerOrg, r.LegalBasis)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, d.Deny(ctx, action, "case", r.CaseID, ErrNotOwner)
	}
	if d.Rules.CrossBorder(r.Destination, r.RecipientKind) {
		return true, nil
	}
	// The package is built from the sections as they are now, the moment
	// the disclosure is recorded; later content never leaves.
	return false, d.Disclose(ctx, action, spec, r, r.CreatedAt)
}

// Approve has the disclosure of external referral id recorded and its
// package built at now, as p, the second person: p must still be one who
// may disclose the case (of ownerOrg) on its basis.
func (d *Desk) Approve(ctx context.Context, action string, p auth.Principal, id, ownerOrg string, spec Spec, now time.Time) (Record, error) {
	r, err := Load(ctx, d.DB, id)
	if err != nil {
		return r, err
	}
	if err := d.Standing(ctx, action, p, id, ownerOrg, r.LegalBasis); err != nil {
		return r, err
	}
	return r, d.Disclose(ctx, action, spec, &r, now)
}

// Standing refuses (audited, 403) p when it may no longer disclose the
// case of ownerOrg on basis: a case transferred since, or a role taken
// away, stops an approval or a package.
func (d *Desk) Standing(ctx context.Context, action string, p auth.Principal, id, ownerOrg, basis string) error {
	ok, err := d.MayDisclose(ctx, p, ownerOrg, basis)
	if err != nil {
		return err
	}
	if !ok {
		return d.Deny(ctx, action, "referral", id, ErrNotOwner)
	}
	return nil
}

// answer turns intake's answer into the caller's: a case it may not see
// or may not disclose is an audited refusal (as is any other refusal
// when denyAll), a failure 503.
func (d *Desk) answer(ctx context.Context, action, caseID, what string, err error, denyAll bool) error {
	switch {
	case errors.Is(err, kit.ErrNotFound):
		return d.Deny(ctx, action, "case", caseID, kit.ErrNotFound)
	case errors.Is(err, kit.ErrForbidden):
		return d.Deny(ctx, action, "case", caseID, ErrNotOwner)
	}
	if ke := kit.AsError(err); ke != kit.ErrInternal {
		if denyAll {
			return d.Deny(ctx, action, "case", caseID, ke)
		}
		return ke
	}
	return fmt.Errorf("referral: %s: %w: %w", what, kit.ErrUnavailable, err)
}

// Download hands out the package of external referral id to p: the bytes
// built when the disclosure was recorded, never a fresh read of the case.
// Intake checks the disclosure again first; the downloads are limited in
// number and time by the policy, and each one's hash, time and actor is
// recorded, with audit run in the same transaction.
func (d *Desk) Download(ctx context.Context, action, id string, p auth.Principal, now time.Time,
	audit func(tx *sql.Tx) error) (Package, error) {
	r, err := Load(ctx, d.DB, id)
	if err != nil {
		return Package{}, err
	}
	if r.Package == "" || r.BuiltAt == nil {
		return Package{}, d.Deny(ctx, action, "referral", id, ErrPackageGone)
	}
	if now.After(r.BuiltAt.Add(d.Rules.Window())) {
		if err := ClearPackage(ctx, d.DB, id); err != nil {
			return Package{}, err
		}
		return Package{}, d.Deny(ctx, action, "referral", id, ErrPackageGone)
	}
	if err := d.Disclosures.DisclosureStands(ctx, r.CaseID, r.DisclosureID); err != nil {
		return Package{}, d.answer(ctx, action, r.CaseID, "disclosure check", err, true)
	}
	pkg := Package{PackageID: r.PackageID, ReferralID: id, SHA256: r.PackageSHA256, Armored: []byte(r.Package)}
	err = d.DB.Tx(ctx, func(tx *sql.Tx) error {
		// Taking the disclosure's row first lets concurrent downloads
		// count one after the other, on both engines.
		if locked, err := lockPackage(ctx, tx, id, r.PackageID); err != nil || !locked {
			return orConflict(err, ErrPackageGone)
		}
		n, err := downloads(ctx, tx, r.PackageID)
		if err != nil {
			return err
		}
		if n >= d.Rules.Downloads() {
			return ErrPackageGone
		}
		if err := insertDownload(ctx, tx, event.NewID(), r.PackageID, pkg.SHA256, p, now); err != nil {
			return err
		}
		if n+1 >= d.Rules.Downloads() {
			if err := ClearPackage(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit(tx)
	})
	if errors.Is(err, ErrPackageGone) {
		return Package{}, d.Deny(ctx, action, "referral", id, ErrPackageGone)
	}
	if err != nil {
		return Package{}, err
	}
	return pkg, nil
}

// orConflict returns a failure as itself, and otherwise conflict.
func orConflict(err, conflict error) error {
	if err != nil {
		return err
	}
	return conflict
}
