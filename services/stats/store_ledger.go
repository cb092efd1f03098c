package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The statements on differential-privacy budgets: a release's and the
// privacy ledger's.

// insertBudget records a differential-privacy release of epsilon.
func insertBudget(ctx context.Context, tx *sql.Tx, name string, epsilon float64, by string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO releases (name, epsilon, spent, created_by, created_at, method)
		VALUES ($1, $2, 0, $3, $4, $5)`, name, epsilon, by, at, MethodDP); err != nil {
		return fmt.Errorf("stats: release: %w", err)
	}
	return nil
}

// releaseBudget reads a release's method, period, budget and what it has
// spent; lock is " FOR UPDATE" on PostgreSQL, so that two answers cannot
// both spend the last of it.
func releaseBudget(ctx context.Context, tx *sql.Tx, release, lock string) (method, period string, total, spent float64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT method, period, epsilon, spent FROM releases WHERE name = $1`+lock, release).
		Scan(&method, &period, &total, &spent)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", 0, 0, ErrUnknownRelease
	}
	if err != nil {
		return "", "", 0, 0, fmt.Errorf("stats: release: %w", err)
	}
	return method, period, total, spent, nil
}

// spendBudget adds cost to what a release has spent.
func spendBudget(ctx context.Context, tx *sql.Tx, release string, cost float64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET spent = spent + $2 WHERE name = $1`, release, cost); err != nil {
		return fmt.Errorf("stats: spend budget: %w", err)
	}
	return nil
}

// spendLedger takes cost (micro-epsilon) from the ledger of family for
// month when at most budget is then spent, and reports whether it did.
// The condition is in the statement, so two answers racing for the last
// of a budget cannot both pass it.
func spendLedger(ctx context.Context, tx *sql.Tx, family, month string, cost, budget int64) (bool, error) {
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

// ledgerSpent returns what the ledger of family has spent for month
// (micro-epsilon; 0 when nothing yet).
func ledgerSpent(ctx context.Context, q queryer, family, month string) (int64, error) {
	var spent int64
	err := q.QueryRowContext(ctx, `SELECT spent_micro FROM privacy_ledger WHERE family = $1 AND month = $2`, family, month).Scan(&spent)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("stats: privacy ledger: %w", err)
	}
	return spent, nil
}
