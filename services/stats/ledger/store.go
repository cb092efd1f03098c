package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The statements on the privacy_ledger table.

// Queryer is a *sql.Tx or *sql.DB.
type Queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// spend takes cost (micro-epsilon) from the ledger of family for month
// when at most budget is then spent, and reports whether it did. The
// condition is in the statement, so two answers racing for the last of a
// budget cannot both pass it.
func spend(ctx context.Context, tx *sql.Tx, family, month string, cost, budget int64) (bool, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_ledger (family, month, spent_micro) VALUES ($1, $2, 0)
		ON CONFLICT (family, month) DO NOTHING`, family, month); err != nil {
		return false, fmt.Errorf("stats: privacy ledger: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE privacy_ledger SET spent_micro = spent_micro + $3
		WHERE family = $1 AND month = $2 AND spent_micro + $3 <= $4`, family, month, cost, budget)
	if err != nil {
		return false, fmt.Errorf("stats: privacy ledger: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("stats: privacy ledger: %w", err)
	}
	return n == 1, nil
}

// spent returns what the ledger of family has spent for month
// (micro-epsilon; 0 when nothing yet).
func spent(ctx context.Context, q Queryer, family, month string) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT spent_micro FROM privacy_ledger WHERE family = $1 AND month = $2`, family, month).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("stats: privacy ledger: %w", err)
	}
	return n, nil
}
