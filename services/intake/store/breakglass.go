package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/services/intake/casefile"
)

const breakGlassColumns = `id, case_id, org_id, user_id, grant_id, reason_entry, status, opened_at, expires_at,
	closed_at, reviewed_by, review_code, reviewed_at`

func scanBreakGlass(sc Scanner) (casefile.BreakGlass, error) {
	var (
		b                  casefile.BreakGlass
		closed, reviewedAt sql.NullTime
	)
	if err := sc.Scan(&b.ID, &b.CaseID, &b.OrgID, &b.UserID, &b.GrantID, &b.ReasonEntry, &b.Status, &b.OpenedAt,
		&b.ExpiresAt, &closed, &b.ReviewedBy, &b.ReviewCode, &reviewedAt); err != nil {
		return casefile.BreakGlass{}, err
	}
	b.OpenedAt, b.ExpiresAt = b.OpenedAt.UTC(), b.ExpiresAt.UTC()
	if closed.Valid {
		t := closed.Time.UTC()
		b.ClosedAt = &t
	}
	if reviewedAt.Valid {
		t := reviewedAt.Time.UTC()
		b.ReviewedAt = &t
	}
	return b, nil
}

// InsertBreakGlass records an emergency access as opened.
func (s *Store) InsertBreakGlass(ctx context.Context, q Querier, b casefile.BreakGlass) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO break_glass (id, case_id, org_id, user_id, grant_id, reason_entry, status,
		opened_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		b.ID, b.CaseID, b.OrgID, b.UserID, b.GrantID, b.ReasonEntry, b.Status, b.OpenedAt, b.ExpiresAt); err != nil {
		return fmt.Errorf("intake: break glass: %w", err)
	}
	return nil
}

// InsertAlert tells an organisation (org), or everyone holding role, of a
// case event of kind.
func (s *Store) InsertAlert(ctx context.Context, q Querier, id, caseID, org, role, kind string, at time.Time) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO alerts (id, case_id, org_id, role, kind, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, caseID, org, role, kind, at); err != nil {
		return fmt.Errorf("intake: %s alert: %w", kind, err)
	}
	return nil
}

// BreakGlassList returns the newest emergency accesses, up to MaxListed.
func (s *Store) BreakGlassList(ctx context.Context) ([]casefile.BreakGlass, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+breakGlassColumns+` FROM break_glass ORDER BY opened_at DESC, id DESC LIMIT $1`, MaxListed)
	if err != nil {
		return nil, fmt.Errorf("intake: break glass: %w", err)
	}
	defer rows.Close()
	out, err := scanAll(rows, scanBreakGlass)
	if err != nil {
		return nil, fmt.Errorf("intake: break glass: %w", err)
	}
	if out == nil {
		out = []casefile.BreakGlass{}
	}
	return out, nil
}

// BreakGlassByID returns the emergency access, locked until q ends when
// lock, or ErrNotFound. A user other than "" must be the one who opened it.
func (s *Store) BreakGlassByID(ctx context.Context, q Querier, id, user string, lock bool) (casefile.BreakGlass, error) {
	query, args := `SELECT `+breakGlassColumns+` FROM break_glass WHERE id = $1`, []any{id}
	if user != "" {
		query, args = query+` AND user_id = $2`, append(args, user)
	}
	if lock {
		query += s.ForUpdate()
	}
	b, err := scanBreakGlass(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return casefile.BreakGlass{}, casefile.ErrNotFound
	}
	if err != nil {
		return casefile.BreakGlass{}, fmt.Errorf("intake: break glass: %w", err)
	}
	return b, nil
}

// ReviewBreakGlass records an auditor's review code.
func (s *Store) ReviewBreakGlass(ctx context.Context, q Querier, id, user, code string, at time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE break_glass SET reviewed_by = $2, review_code = $3, reviewed_at = $4 WHERE id = $1`,
		id, user, code, at); err != nil {
		return fmt.Errorf("intake: break glass: %w", err)
	}
	return nil
}

// BreakGlassDue returns the open emergency accesses whose time is up at
// now, the earliest first.
func (s *Store) BreakGlassDue(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM break_glass WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at`, now)
	if err != nil {
		return nil, fmt.Errorf("intake: break glass expiry: %w", err)
	}
	defer rows.Close()
	ids, err := scanAll(rows, func(sc Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("intake: break glass expiry: %w", err)
	}
	return ids, nil
}

// ExpireBreakGlass closes the emergency access at now.
func (s *Store) ExpireBreakGlass(ctx context.Context, q Querier, id string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE break_glass SET status = 'expired', closed_at = $2 WHERE id = $1`, id, now); err != nil {
		return fmt.Errorf("intake: break glass: %w", err)
	}
	return nil
}

// HasOpenBreakGlass reports whether user holds an open emergency access to
// the case.
func (s *Store) HasOpenBreakGlass(ctx context.Context, q Querier, caseID, user string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM break_glass WHERE case_id = $1 AND user_id = $2 AND status = 'open'`,
		caseID, user).Scan(&n); err != nil {
		return false, fmt.Errorf("intake: break glass: %w", err)
	}
	return n > 0, nil
}
