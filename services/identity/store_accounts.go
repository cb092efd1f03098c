package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// reserveTOTPAttempt counts a second-factor attempt as a failure before
// the code is checked (compare-and-swap on the count read), so parallel
// guesses cannot share one allowance. It reports false when another
// attempt changed the count first.
func (s *store) reserveTOTPAttempt(ctx context.Context, q querier, id string, seen int, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx,
		`UPDATE users SET totp_failures = $1, totp_failed_at = $2 WHERE id = $3 AND totp_failures = $4 AND totp_state <> 'suspended'`,
		seen+1, now, id, seen)
	if err != nil {
		return false, fmt.Errorf("identity: totp attempt: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// suspendTOTP suspends the user's second factor.
func (s *store) suspendTOTP(ctx context.Context, q querier, id string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET totp_state = 'suspended', updated_at = $1 WHERE id = $2`, now, id)
	if err != nil {
		return fmt.Errorf("identity: suspend totp: %w", err)
	}
	return nil
}

// totpSucceeded clears the failure run and, for a pending first
// enrolment, makes the secret active.
func (s *store) totpSucceeded(ctx context.Context, q querier, id string, now time.Time) error {
	_, err := q.ExecContext(ctx,
		`UPDATE users SET totp_failures = 0, totp_failed_at = NULL,
			totp_state = CASE WHEN totp_state = 'pending' THEN 'active' ELSE totp_state END,
			totp_pending_until = CASE WHEN totp_state = 'pending' THEN NULL ELSE totp_pending_until END,
			updated_at = $1
		 WHERE id = $2`, now, id)
	if err != nil {
		return fmt.Errorf("identity: totp success: %w", err)
	}
	return nil
}

// setTOTP replaces the user's secret (state as given), clearing any
// pending secret and failure run.
func (s *store) setTOTP(ctx context.Context, q querier, id string, sealed []byte, state string, until time.Time, now time.Time) error {
	_, err := q.ExecContext(ctx,
		`UPDATE users SET totp_secret = $1, totp_state = $2, totp_pending = NULL, totp_pending_until = $3,
			totp_failures = 0, totp_failed_at = NULL, updated_at = $4 WHERE id = $5`,
		sealed, state, nullTime(until), now, id)
	if err != nil {
		return fmt.Errorf("identity: set totp: %w", err)
	}
	return nil
}

// setPendingTOTP stores a replacement secret offered until until.
func (s *store) setPendingTOTP(ctx context.Context, q querier, id string, sealed []byte, until, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET totp_pending = $1, totp_pending_until = $2, updated_at = $3 WHERE id = $4`,
		sealed, until, now, id)
	if err != nil {
		return fmt.Errorf("identity: pending totp: %w", err)
	}
	return nil
}

func (s *store) setPassword(ctx context.Context, q querier, id, hash string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, now, id)
	if err != nil {
		return fmt.Errorf("identity: set password: %w", err)
	}
	return nil
}

// openSessions lists the user's sessions that are neither revoked nor
// expired, newest first.
func (s *store) openSessions(ctx context.Context, userID string, now time.Time) ([]Session, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, created_at, last_used_at FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
		 ORDER BY created_at DESC, id`, userID, now)
	if err != nil {
		return nil, fmt.Errorf("identity: sessions: %w", err)
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var (
			ss   Session
			used sql.NullTime
		)
		if err := rows.Scan(&ss.ID, &ss.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("identity: sessions: %w", err)
		}
		ss.CreatedAt = ss.CreatedAt.UTC()
		ss.LastUsedAt = ss.CreatedAt
		if used.Valid {
			ss.LastUsedAt = used.Time.UTC()
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

func (s *store) touchSession(ctx context.Context, q querier, id string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE sessions SET last_used_at = $1 WHERE id = $2`, now, id); err != nil {
		return fmt.Errorf("identity: touch session: %w", err)
	}
	return nil
}

// revokeUserSessionsExcept revokes the user's sessions but keep (none
// when keep is empty) and returns the ids it revoked.
func (s *store) revokeUserSessionsExcept(ctx context.Context, q querier, userID, keep string, now time.Time) ([]string, error) {
	if keep == "" {
		return s.revokeUserSessions(ctx, q, userID, now)
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND id <> $2`, userID, keep)
	if err != nil {
		return nil, fmt.Errorf("identity: revoke: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("identity: revoke: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity: revoke: %w", err)
	}
	var out []string
	for _, id := range ids {
		r, err := s.revokeSession(ctx, q, id, now)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	return out, nil
}

// insertPasswordReset stores a reset token's hash, first spending any
// earlier unused token of the user: one link is valid at a time.
func (s *store) insertPasswordReset(ctx context.Context, q querier, hash, userID, by string, now, expires time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, now, userID); err != nil {
		return fmt.Errorf("identity: password reset: %w", err)
	}
	_, err := q.ExecContext(ctx,
		`INSERT INTO password_resets (hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hash, userID, by, now, expires)
	if err != nil {
		return fmt.Errorf("identity: password reset: %w", err)
	}
	return nil
}

// usePasswordReset spends a reset token: it returns its user when the
// token exists, is unused and unexpired, and marks it used in the same
// statement, so a token works once even under concurrent use.
func (s *store) usePasswordReset(ctx context.Context, q querier, hash string, now time.Time) (string, error) {
	var userID string
	err := q.QueryRowContext(ctx,
		`UPDATE password_resets SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id`,
		now, hash).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("identity: password reset: %w", err)
	}
	return userID, nil
}
