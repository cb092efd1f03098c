package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// The statements on the append lock, gaps and checkpoints, and the
// verifier's reads of the whole log.

// lockAppends serialises appends on PostgreSQL for the rest of the
// transaction: the tree grows one batch at a time (SQLite's write lock
// does this already).
func lockAppends(ctx context.Context, tx *sql.Tx, engine db.Engine) error {
	if engine != db.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryLockKey); err != nil {
		return fmt.Errorf("audit: append: lock: %w", err)
	}
	return nil
}

// insertGaps records gaps found in sources' sequence numbers.
func insertGaps(ctx context.Context, tx *sql.Tx, gaps []gapRow, now time.Time) error {
	for _, g := range gaps {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO gaps (source, first_seq, last_seq, detected_at, event_id) VALUES ($1, $2, $3, $4, $5)`,
			g.source, g.first, g.last, now, g.eventID); err != nil {
			return fmt.Errorf("audit: append: record gap: %w", err)
		}
	}
	return nil
}

// insertCheckpoint stores a signed checkpoint (once per size).
func insertCheckpoint(ctx context.Context, q queryer, cp Checkpoint, now time.Time) error {
	if _, err := q.ExecContext(ctx,
		`INSERT INTO checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING`,
		cp.Size, cp.Root[:], string(cp.Note), now); err != nil {
		return fmt.Errorf("audit: checkpoint: store: %w", err)
	}
	return nil
}

// latestCheckpoint returns the stored checkpoint of the greatest size.
func latestCheckpoint(ctx context.Context, q queryer) (Checkpoint, error) {
	return scanCheckpoint(q.QueryRowContext(ctx, `SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1`))
}

func checkpointAt(ctx context.Context, q queryer, size int64) (Checkpoint, error) {
	return scanCheckpoint(q.QueryRowContext(ctx, `SELECT size, root, note FROM checkpoints WHERE size = $1`, size))
}

func scanCheckpoint(row *sql.Row) (Checkpoint, error) {
	var (
		cp   Checkpoint
		root []byte
		msg  string
	)
	err := row.Scan(&cp.Size, &root, &msg)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, ErrNoCheckpoint
	}
	if err != nil {
		return cp, fmt.Errorf("audit: read checkpoint: %w", err)
	}
	copy(cp.Root[:], root)
	cp.Note = []byte(msg)
	return cp, nil
}

// The whole log, in order, for verification (rows the caller closes).

// eventsWithMACs returns the first size events with their leaf MACs
// (NULL before MACs were kept), by index.
func eventsWithMACs(ctx context.Context, q queryer, size int64) (*sql.Rows, error) {
	return q.QueryContext(ctx, `SELECT e.idx, e.at, e.seq, e.id, e.source, e.actor_user, e.actor_org, e.actor_role,
		e.action, e.object_type, e.object_id, e.outcome, e.request_id, e.client_hash, m.mac
		FROM events e LEFT JOIN leaf_macs m ON m.idx = e.idx WHERE e.idx < $1 ORDER BY e.idx`, size)
}

// allCheckpoints returns every stored checkpoint, by size.
func allCheckpoints(ctx context.Context, q queryer) (*sql.Rows, error) {
	return q.QueryContext(ctx, `SELECT size, root, note FROM checkpoints ORDER BY size`)
}

// allHashes returns the first count stored tree hashes, by index.
func allHashes(ctx context.Context, q queryer, count int64) (*sql.Rows, error) {
	return q.QueryContext(ctx, `SELECT idx, hash FROM hashes WHERE idx < $1 ORDER BY idx`, count)
}
