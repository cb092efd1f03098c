package external

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/directory"
)

// The statements on referral_disclosures and referral_packages.

// Queryer is a database handle or a transaction.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Record is the record of an external referral (referral_disclosures).
type Record struct {
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

const columns = `referral_id, package_id, case_id, legal_basis, destination, recipient, recipient_fingerprint,
	sections, actor_user, actor_org, created_at, recipient_kind, disclosure_id, approved_by, approved_at,
	package, package_sha256, package_built_at`

// Insert stores d.
func Insert(ctx context.Context, tx *sql.Tx, d Record) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO referral_disclosures (`+columns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`, d.ReferralID, d.PackageID,
		d.CaseID, d.LegalBasis, d.Destination, d.Recipient, d.Fingerprint, directory.EncodeList(d.Sections), d.ActorUser, d.ActorOrg,
		d.CreatedAt, d.RecipientKind, d.DisclosureID, d.ApprovedBy, d.ApprovedAt, d.Package, d.PackageSHA256, d.BuiltAt)
	if err != nil {
		return fmt.Errorf("referral: insert disclosure %s: %w", d.ReferralID, err)
	}
	return nil
}

// Load returns the record of an external referral; kit.ErrNotFound for
// one recorded before packages existed.
func Load(ctx context.Context, q Queryer, referralID string) (Record, error) {
	var (
		d    Record
		secs string
	)
	err := q.QueryRowContext(ctx, `SELECT `+columns+` FROM referral_disclosures WHERE referral_id = $1`,
		referralID).Scan(&d.ReferralID, &d.PackageID, &d.CaseID, &d.LegalBasis, &d.Destination, &d.Recipient,
		&d.Fingerprint, &secs, &d.ActorUser, &d.ActorOrg, &d.CreatedAt, &d.RecipientKind, &d.DisclosureID, &d.ApprovedBy,
		&d.ApprovedAt, &d.Package, &d.PackageSHA256, &d.BuiltAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, kit.ErrNotFound
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

// ClearPackage forgets an external referral's package once it may no
// longer be downloaded.
func ClearPackage(ctx context.Context, q Queryer, referralID string) error {
	if _, err := q.ExecContext(ctx, `UPDATE referral_disclosures SET package = '' WHERE referral_id = $1`, referralID); err != nil {
		return fmt.Errorf("referral: clear package %s: %w", referralID, err)
	}
	return nil
}

// Approved records a second person's approval, and the disclosure and
// package made then, in tx.
func Approved(ctx context.Context, tx *sql.Tx, r Record, by string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE referral_disclosures SET disclosure_id = $2, approved_by = $3, approved_at = $4,
			package = $5, package_sha256 = $6, package_built_at = $4 WHERE referral_id = $1`,
		r.ReferralID, r.DisclosureID, by, now, r.Package, r.PackageSHA256); err != nil {
		return fmt.Errorf("referral: approve %s: %w", r.ReferralID, err)
	}
	return nil
}

// lockPackage takes the row lock of referralID's disclosure while its
// package is kept, so that concurrent downloads count one after the other
// on both engines; false when the package is gone.
func lockPackage(ctx context.Context, tx *sql.Tx, referralID, packageID string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE referral_disclosures SET package = package WHERE referral_id = $1 AND package <> ''`,
		referralID)
	if err != nil {
		return false, fmt.Errorf("referral: package %s: %w", packageID, err)
	}
	k, err := res.RowsAffected()
	return k > 0, err
}

// downloads counts the recorded downloads of packageID.
func downloads(ctx context.Context, tx *sql.Tx, packageID string) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM referral_packages WHERE package_id = $1`,
		packageID).Scan(&n); err != nil {
		return 0, fmt.Errorf("referral: package %s downloads: %w", packageID, err)
	}
	return n, nil
}

// insertDownload records a download of packageID (its hash, when and by
// whom) under id.
func insertDownload(ctx context.Context, tx *sql.Tx, id, packageID, sha256 string, p auth.Principal, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO referral_packages (id, package_id, sha256, actor_user, actor_org, produced_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, packageID, sha256, p.UserID, p.OrgID, at); err != nil {
		return fmt.Errorf("referral: record package %s: %w", packageID, err)
	}
	return nil
}
