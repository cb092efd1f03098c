package grants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The statements on the grant columns of referral_candidates.

// Execer is a database handle or a transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// SetState records a candidate's grant state; a revoked grant stays so.
func SetState(ctx context.Context, q Execer, referralID, orgID, state string) error {
	_, err := q.ExecContext(ctx, `UPDATE referral_candidates SET grant_state = $3
		WHERE referral_id = $1 AND org_id = $2 AND grant_state <> 'revoked'`, referralID, orgID, state)
	if err != nil {
		return fmt.Errorf("referral: grant state %s: %w", referralID, err)
	}
	return nil
}

// querier is a database handle or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// markRevoked marks c's grant revoked for reason unless it already is,
// and reports whether it did.
func markRevoked(ctx context.Context, tx *sql.Tx, c Candidate, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET grant_state = 'revoked', grant_reason = $3
		WHERE referral_id = $1 AND org_id = $2 AND grant_state <> 'revoked'`, c.ReferralID, c.OrgID, reason)
	if err != nil {
		return false, fmt.Errorf("referral: revoke grant %s: %w", c.ReferralID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func scanCandidate(sc interface{ Scan(...any) error }) (Candidate, error) {
	var c Candidate
	err := sc.Scan(&c.ReferralID, &c.OrgID, &c.GrantID, &c.CaseID)
	return c, err
}

// dueRevocations lists the candidates whose grant was left due ('revoke')
// by the retry loop that came before the outbox, at most limit.
func dueRevocations(ctx context.Context, q querier, limit int) ([]Candidate, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.referral_id, c.org_id, c.grant_id, r.case_id
		FROM referral_candidates c JOIN referrals r ON r.id = c.referral_id
		WHERE c.grant_state = 'revoke' ORDER BY c.referral_id, c.org_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("referral: revocations due: %w", err)
	}
	var due []Candidate
	for rows.Next() {
		c, err := scanCandidate(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("referral: revocations due: %w", err)
		}
		due = append(due, c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("referral: revocations due: %w", err)
	}
	return due, nil
}

// markRevokedByIntake marks revoked, with intake's reason, the grant
// grantID of the candidate orgID of referralID in caseID, unless it
// already is; false when no such grant was left to mark.
func markRevokedByIntake(ctx context.Context, tx *sql.Tx, caseID, referralID, orgID, grantID, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE referral_candidates SET grant_state = 'revoked', grant_reason = $4
		WHERE referral_id = $1 AND org_id = $2 AND grant_id = $3 AND grant_state <> 'revoked'
		AND EXISTS (SELECT 1 FROM referrals WHERE id = $1 AND case_id = $5)`,
		referralID, orgID, grantID, reason, caseID)
	if err != nil {
		return false, fmt.Errorf("referral: grant revoked in intake %s: %w", referralID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// grantHolders counts the candidates holding grantID: same, as the
// candidate orgID of referralID in caseID; held, as any candidate.
func grantHolders(ctx context.Context, tx *sql.Tx, caseID, referralID, orgID, grantID string) (same, held int, err error) {
	err = tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM referral_candidates c JOIN referrals r ON r.id = c.referral_id
			WHERE c.referral_id = $1 AND c.org_id = $2 AND c.grant_id = $3 AND r.case_id = $4),
		(SELECT COUNT(*) FROM referral_candidates WHERE grant_id = $3)`,
		referralID, orgID, grantID, caseID).Scan(&same, &held)
	return same, held, err
}
