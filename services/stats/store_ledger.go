package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The statements on a differential-privacy release's own budget (the
// privacy ledger's are in package ledger).

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
