package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The statements on the recovery tickets: password_resets and
// enrolment_tickets.

// issuedBy counts the rows of table (password_resets or
// enrolment_tickets) that by issued for userID since since.
func (s *store) issuedBy(ctx context.Context, table, userID, by string, since time.Time) (int, error) {
	if table != "password_resets" && table != "enrolment_tickets" {
		return 0, fmt.Errorf("identity: unknown table %q", table)
	}
	var n int
	err := s.db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM `+table+` WHERE user_id = $1 AND created_by = $2 AND created_at > $3`,
		userID, by, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("identity: %s: %w", table, err)
	}
	return n, nil
}

// insertTicket stores a ticket's hash in table, first spending any earlier
// unused one of the user: one is valid at a time.
func (s *store) insertTicket(ctx context.Context, q querier, table, hash, userID, by string, now, expires time.Time) error {
	if table != "password_resets" && table != "enrolment_tickets" {
		return fmt.Errorf("identity: unknown table %q", table)
	}
	if _, err := q.ExecContext(ctx, `UPDATE `+table+` SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, now, userID); err != nil {
		return fmt.Errorf("identity: %s: %w", table, err)
	}
	_, err := q.ExecContext(ctx,
		`INSERT INTO `+table+` (hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hash, userID, by, now, expires)
	if err != nil {
		return fmt.Errorf("identity: %s: %w", table, err)
	}
	return nil
}

// useTicket spends the user's enrolment ticket in one statement, so it
// works once even under concurrent use; ErrNotFound when it is unknown,
// someone else's, used or expired.
func (s *store) useTicket(ctx context.Context, q querier, hash, userID string, now time.Time) error {
	var id string
	err := q.QueryRowContext(ctx,
		`UPDATE enrolment_tickets SET used_at = $1 WHERE hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id`,
		now, hash, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("identity: enrolment ticket: %w", err)
	}
	return nil
}

// voidTickets spends the user's unused enrolment tickets.
func (s *store) voidTickets(ctx context.Context, q querier, userID string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE enrolment_tickets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, now, userID); err != nil {
		return fmt.Errorf("identity: enrolment tickets: %w", err)
	}
	return nil
}
