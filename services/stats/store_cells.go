package stats

import (
	"context"
	"fmt"
)

// The receiver's multi-row writes of the aggregates (flush): rows come
// sorted, so concurrent writers take the row locks in the same order.

// addCells adds each row (tbl, period, cell, n, keysum) to its cell.
func addCells(ctx context.Context, tx wtx, rows [][]any) error {
	if err := upsert(ctx, tx, `INSERT INTO cells (tbl, period, cell, n, keysum) VALUES `, rows,
		` ON CONFLICT (tbl, period, cell) DO UPDATE SET n = cells.n + excluded.n,
		keysum = (cells.keysum + excluded.keysum) % 4294967296`); err != nil {
		return fmt.Errorf("stats: update cells: %w", err)
	}
	return nil
}

// addCellValues adds each row (tbl, period, cell, value, n) to its
// histogram bar.
func addCellValues(ctx context.Context, tx wtx, rows [][]any) error {
	if err := upsert(ctx, tx, `INSERT INTO cell_values (tbl, period, cell, value, n) VALUES `, rows,
		` ON CONFLICT (tbl, period, cell, value) DO UPDATE SET n = cell_values.n + excluded.n`); err != nil {
		return fmt.Errorf("stats: update histograms: %w", err)
	}
	return nil
}

// insertChangeSets appends the change sets (tbl, month, version,
// subjects) of a data version.
func insertChangeSets(ctx context.Context, tx wtx, rows [][]any) error {
	if err := upsert(ctx, tx, `INSERT INTO change_sets (tbl, month, version, subjects) VALUES `, rows, ""); err != nil {
		return fmt.Errorf("stats: record changes: %w", err)
	}
	return nil
}
