package referral

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/directory"
)

// DisclosurePackage is an external referral's package as handed out on a
// download: armored age, encrypted to the recipient named at creation,
// built once when the disclosure was recorded.
type DisclosurePackage struct {
	PackageID  string
	ReferralID string
	SHA256     string // hex SHA-256 of Armored, as recorded
	Armored    []byte
}

// Filename is the name the package is offered under.
func (p DisclosurePackage) Filename() string { return "nrm-referral-" + p.PackageID + ".age" }

// disclosureRow is the record of an external referral.
type disclosureRow struct {
	ReferralID, PackageID, CaseID, LegalBasis, Destination string
	Recipient, Fingerprint                                 string
	Sections                                               []string
	ActorUser, ActorOrg                                    string
	CreatedAt                                              time.Time
	// RecipientKind is the workflow policy's kind of the receiver;
	// DisclosureID the disclosure intake recorded in the case, once
	// authorised; ApprovedBy the second person for a cross-border one.
	RecipientKind, DisclosureID, ApprovedBy string
	ApprovedAt                              *time.Time
	// Package is the armored package built when the disclosure was
	// recorded, PackageSHA256 its hash, BuiltAt when; empty once cleared
	// (or for a referral recorded before packages were pinned).
	Package, PackageSHA256 string
	BuiltAt                *time.Time
}

// checkRecipient has intake check an external organisation's age public
// key; without intake external referrals are unavailable.
func (s *service) checkRecipient(r string) (string, error) {
	if s.discl == nil {
		return "", fmt.Errorf("referral: external referrals: no disclosure record: %w", ErrUnavailable)
	}
	return s.discl.CheckRecipient(r)
}

func fingerprint(recipient string) string {
	h := sha256.Sum256([]byte(recipient))
	return hex.EncodeToString(h[:])
}

// Package hands out the package of an external referral to the sending
// organisation: the bytes built when the disclosure was recorded, never a
// fresh read of the case. Before each download the caller's relation, the
// legal basis and, for a consent basis, the person's current consent are
// checked again (intake); downloads are limited in number and time by the
// policy; each one's hash, time and actor are recorded and audited
// (referral.disclosure).
func (s *service) Package(ctx context.Context, id string) (DisclosurePackage, error) {
	const action = "referral.disclosure"
	p, err := principal(ctx)
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
	if err := packageReady(row); err != nil {
		return DisclosurePackage{}, err
	}
	// The relation is checked again: a case transferred since, or a role
	// taken away, stops the package.
	sum, err := s.summary(ctx, row.CaseID, action)
	if err != nil {
		return DisclosurePackage{}, err
	}
	if ok, err := s.mayDiscloseExternally(ctx, p, sum, row.LegalBasis); err != nil || !ok {
		return DisclosurePackage{}, guardDeny(s, ctx, err, action, id)
	}
	d, err := s.store.disclosure(ctx, s.db, id)
	if err != nil {
		return DisclosurePackage{}, err
	}
	now := s.now()
	if d.Package == "" || d.BuiltAt == nil {
		return DisclosurePackage{}, s.deny(ctx, action, "referral", id, ErrPackageGone)
	}
	if now.After(d.BuiltAt.Add(s.packageWindow())) {
		if err := s.store.clearPackage(ctx, s.db, id); err != nil {
			return DisclosurePackage{}, err
		}
		return DisclosurePackage{}, s.deny(ctx, action, "referral", id, ErrPackageGone)
	}
	if err := s.standing(ctx, action, row.CaseID, d.DisclosureID); err != nil {
		return DisclosurePackage{}, err
	}
	pkg := DisclosurePackage{PackageID: d.PackageID, ReferralID: id, SHA256: d.PackageSHA256, Armored: []byte(d.Package)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Taking the disclosure's row first lets concurrent downloads
		// count one after the other, on both engines.
		var n int
		res, err := tx.ExecContext(ctx, `UPDATE referral_disclosures SET package = package WHERE referral_id = $1 AND package <> ''`, id)
		if err != nil {
			return fmt.Errorf("referral: package %s: %w", d.PackageID, err)
		}
		if k, err := res.RowsAffected(); err != nil || k == 0 {
			return guard(err, ErrPackageGone)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM referral_packages WHERE package_id = $1`,
			d.PackageID).Scan(&n); err != nil {
			return fmt.Errorf("referral: package %s downloads: %w", d.PackageID, err)
		}
		if n >= s.packageDownloads() {
			return ErrPackageGone
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_packages (id, package_id, sha256, actor_user, actor_org, produced_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, event.NewID(), d.PackageID, pkg.SHA256, p.UserID, p.OrgID, now); err != nil {
			return fmt.Errorf("referral: record package %s: %w", d.PackageID, err)
		}
		if n+1 >= s.packageDownloads() {
			if err := s.store.clearPackage(ctx, tx, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, s.rec.New(ctx, action, "case", row.CaseID, event.Allowed))
	})
	if errors.Is(err, ErrPackageGone) {
		return DisclosurePackage{}, s.deny(ctx, action, "referral", id, ErrPackageGone)
	}
	if err != nil {
		return DisclosurePackage{}, err
	}
	return pkg, nil
}

// standing has intake check the recorded disclosure again, as the caller.
func (s *service) standing(ctx context.Context, action, caseID, disclosureID string) error {
	err := s.discl.DisclosureStands(ctx, caseID, disclosureID)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kit.ErrNotFound):
		return s.deny(ctx, action, "case", caseID, ErrNotFound)
	case errors.Is(err, kit.ErrForbidden):
		return s.deny(ctx, action, "case", caseID, ErrNotOwner)
	}
	if ke := kit.AsError(err); ke != kit.ErrInternal {
		return s.deny(ctx, action, "case", caseID, ke)
	}
	return fmt.Errorf("referral: disclosure check: %w: %w", ErrUnavailable, err)
}

// build has intake build the package, once, when the disclosure is
// recorded: intake reads the sections as the caller and encrypts the
// package to the recipient; referral keeps only the armored bytes.
func (s *service) build(ctx context.Context, action string, row referralRow, d *disclosureRow, now time.Time) error {
	armored, err := s.discl.BuildPackage(ctx, row.CaseID, PackageSpec{
		PackageID: d.PackageID, ReferralID: row.ID, ProducedAt: now, LegalBasis: d.LegalBasis,
		Destination: d.Destination, Service: row.Service, Urgency: row.Urgency, Region: row.Region, Gender: row.Gender,
		AgeGroup: row.AgeGroup, TreatedAsChild: row.TreatedAsChild, Languages: slices.Clone(row.Languages),
		GroupSize: row.GroupSize, Sections: d.Sections, Recipient: d.Recipient,
	})
	if errors.Is(err, kit.ErrNotFound) {
		return s.deny(ctx, action, "case", row.CaseID, ErrNotFound)
	}
	if err != nil {
		if ke := kit.AsError(err); ke != kit.ErrInternal {
			return ke
		}
		return fmt.Errorf("referral: package %s: %w: %w", d.PackageID, ErrUnavailable, err)
	}
	hash := sha256.Sum256(armored)
	d.Package, d.PackageSHA256, d.BuiltAt = string(armored), hex.EncodeToString(hash[:]), &now
	return nil
}

const disclosureColumns = `referral_id, package_id, case_id, legal_basis, destination, recipient, recipient_fingerprint,
	sections, actor_user, actor_org, created_at, recipient_kind, disclosure_id, approved_by, approved_at,
	package, package_sha256, package_built_at`

func (st *store) insertDisclosure(ctx context.Context, tx *sql.Tx, d disclosureRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO referral_disclosures (`+disclosureColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`, d.ReferralID, d.PackageID,
		d.CaseID, d.LegalBasis, d.Destination, d.Recipient, d.Fingerprint, directory.EncodeList(d.Sections), d.ActorUser, d.ActorOrg,
		d.CreatedAt, d.RecipientKind, d.DisclosureID, d.ApprovedBy, d.ApprovedAt, d.Package, d.PackageSHA256, d.BuiltAt)
	if err != nil {
		return fmt.Errorf("referral: insert disclosure %s: %w", d.ReferralID, err)
	}
	return nil
}

func (st *store) disclosure(ctx context.Context, q queryer, referralID string) (disclosureRow, error) {
	var (
		d    disclosureRow
		secs string
	)
	err := q.QueryRowContext(ctx, `SELECT `+disclosureColumns+` FROM referral_disclosures WHERE referral_id = $1`,
		referralID).Scan(&d.ReferralID, &d.PackageID, &d.CaseID, &d.LegalBasis, &d.Destination, &d.Recipient,
		&d.Fingerprint, &secs, &d.ActorUser, &d.ActorOrg, &d.CreatedAt, &d.RecipientKind, &d.DisclosureID, &d.ApprovedBy,
		&d.ApprovedAt, &d.Package, &d.PackageSHA256, &d.BuiltAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("referral: disclosure %s: %w", referralID, err)
	}
	d.CreatedAt = d.CreatedAt.UTC()
	for _, at := range []**time.Time{&d.ApprovedAt, &d.BuiltAt} {
		if *at != nil {
			t := (*at).UTC()
			*at = &t
		}
	}
	d.Sections, err = directory.DecodeList(secs)
	return d, err
}

// withDisclosure fills an external referral's package id and recipient
// fingerprint for its view.
func (st *store) withDisclosure(ctx context.Context, q queryer, r *referralRow) error {
	if r.Kind != KindExternal {
		return nil
	}
	d, err := st.disclosure(ctx, q, r.ID)
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

// clearPackage forgets an external referral's package once it may no
// longer be downloaded.
func (st *store) clearPackage(ctx context.Context, q queryer, referralID string) error {
	if _, err := q.ExecContext(ctx, `UPDATE referral_disclosures SET package = '' WHERE referral_id = $1`, referralID); err != nil {
		return fmt.Errorf("referral: clear package %s: %w", referralID, err)
	}
	return nil
}
