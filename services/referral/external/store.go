package external

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/directory"
)

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
