package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

const disclosureColumns = `id, case_id, org_id, user_id, recipient_kind, legal_basis, sections, disclosed_at`

// Disclosures returns the disclosures of one case ("" for all), newest first.
func (s *Store) Disclosures(ctx context.Context, q Querier, caseID string) ([]casefile.Disclosure, error) {
	query, args := `SELECT `+disclosureColumns+` FROM disclosures ORDER BY disclosed_at DESC, id DESC LIMIT $1`, []any{MaxListed}
	if caseID != "" {
		query = `SELECT ` + disclosureColumns + ` FROM disclosures WHERE case_id = $2 ORDER BY disclosed_at DESC, id DESC LIMIT $1`
		args = append(args, caseID)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: disclosures: %w", err)
	}
	defer rows.Close()
	out := []casefile.Disclosure{}
	for rows.Next() {
		var (
			d    casefile.Disclosure
			secs string
		)
		if err := rows.Scan(&d.ID, &d.CaseID, &d.OrgID, &d.UserID, &d.RecipientKind, &d.LegalBasis, &secs, &d.DisclosedAt); err != nil {
			return nil, fmt.Errorf("intake: disclosures: %w", err)
		}
		d.Sections, d.DisclosedAt = splitCodes(secs), d.DisclosedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// InsertDisclosure records a disclosure outside the system.
func (s *Store) InsertDisclosure(ctx context.Context, q Querier, d casefile.Disclosure) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO disclosures (id, case_id, org_id, user_id, recipient_kind, legal_basis,
		sections, disclosed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, d.CaseID, d.OrgID, d.UserID,
		d.RecipientKind, d.LegalBasis, JoinCodes(d.Sections), d.DisclosedAt); err != nil {
		return fmt.Errorf("intake: disclosure: %w", err)
	}
	return nil
}

// DisclosureBasis returns the recipient kind and legal basis of the case's
// disclosure, or ErrNotFound.
func (s *Store) DisclosureBasis(ctx context.Context, q Querier, caseID, id string) (kind, basis string, err error) {
	err = q.QueryRowContext(ctx, `SELECT recipient_kind, legal_basis FROM disclosures WHERE id = $1 AND case_id = $2`,
		id, caseID).Scan(&kind, &basis)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", casefile.ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("intake: disclosure %s: %w", id, err)
	}
	return kind, basis, nil
}

// LegalHoldRow is one legal hold placed or released.
type LegalHoldRow struct {
	ID, CaseID, Action, ReasonCode, UserID, OrgID string
	At                                            time.Time
}

// LegalHold returns the hold change id of the case that userID made;
// anyone else's is ErrNotFound.
func (s *Store) LegalHold(ctx context.Context, q Querier, caseID, id, userID string) (LegalHoldRow, error) {
	h := LegalHoldRow{ID: id, CaseID: caseID, UserID: userID}
	err := q.QueryRowContext(ctx, `SELECT action, reason_code, org_id, at FROM legal_holds WHERE id = $1 AND case_id = $2 AND user_id = $3`,
		id, caseID, userID).Scan(&h.Action, &h.ReasonCode, &h.OrgID, &h.At)
	if errors.Is(err, sql.ErrNoRows) {
		return LegalHoldRow{}, casefile.ErrNotFound
	}
	if err != nil {
		return LegalHoldRow{}, fmt.Errorf("intake: legal hold %s: %w", id, err)
	}
	h.At = h.At.UTC()
	return h, nil
}

// InsertLegalHold records a legal hold placed or released (action) on the
// case.
func (s *Store) InsertLegalHold(ctx context.Context, q Querier, id, caseID, action, reason, user, org string, at time.Time) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO legal_holds (id, case_id, action, reason_code, user_id, org_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, caseID, action, reason, user, org, at); err != nil {
		return fmt.Errorf("intake: legal hold: %w", err)
	}
	return nil
}
