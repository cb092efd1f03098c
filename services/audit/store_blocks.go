package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// Events are in the log roughly, not exactly, in time order (each service
// stamps its own and the relays deliver late). A time window is turned
// into index bounds through a summary of each complete block of blockSize
// events: the greatest time up to the block's end (which only grows along
// the log) and the greatest lateness up to there, an event's lateness
// being how far its time lies behind the greatest time before it.
//
//   - Every event before the first block whose greatest time reaches from
//     is earlier than from: the window begins in that block or after.
//   - An event after a block whose greatest time reaches to + the log's
//     greatest lateness is at least that late time minus its own
//     lateness, so not before to: the window ends in that block or before.
//
// Both are one short read of the blocks' index, whatever the window's
// size; the events after the last complete block are few and are always
// searched. The bounds are loose where events came very late; the page
// query still filters on the time, so a loose bound costs time, never an
// event.
var blockSize int64 = 1024 // a variable for the tests only

// blockSummary is one row of event_blocks.
type blockSummary struct {
	block, maxAt, late int64 // maxAt and late in microseconds
}

// lastBlock returns the last summarised block, or ok false when none is.
func lastBlock(ctx context.Context, q queryer) (b blockSummary, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT block, max_at_us, late_us FROM event_blocks ORDER BY block DESC LIMIT 1`).
		Scan(&b.block, &b.maxAt, &b.late)
	if errors.Is(err, sql.ErrNoRows) {
		return blockSummary{}, false, nil
	}
	if err != nil {
		return blockSummary{}, false, fmt.Errorf("audit: event blocks: %w", err)
	}
	return b, true, nil
}

// catchUpBlocks summarises every complete block of the log not yet
// summarised and returns the number of complete blocks. Summaries follow
// from the events alone, so callers racing each other write the same rows
// (the second insert is ignored). After a migration on a long log the
// first call reads every event's time once; then each call reads at most
// the blocks completed since the last one.
func catchUpBlocks(ctx context.Context, d *db.DB) (int64, error) {
	size, err := treeSize(ctx, d)
	if err != nil {
		return 0, err
	}
	complete := size / blockSize
	prev, ok, err := lastBlock(ctx, d)
	if err != nil {
		return 0, err
	}
	next := int64(0)
	if ok {
		next = prev.block + 1
	}
	// Before the first event nothing is late and no time is reached.
	maxAt, late := int64(-1<<63), int64(0)
	if ok {
		maxAt, late = prev.maxAt, prev.late
	}
	const perRead = 64 // blocks read and written at once
	for next < complete {
		end := min(next+perRead, complete)
		rows, err := d.QueryContext(ctx, `SELECT at FROM events WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
			next*blockSize, end*blockSize)
		if err != nil {
			return 0, fmt.Errorf("audit: event blocks: %w", err)
		}
		var sums []blockSummary
		n := int64(0)
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				rows.Close()
				return 0, fmt.Errorf("audit: event blocks: %w", err)
			}
			us := at.UnixMicro()
			if maxAt > us {
				late = max(late, maxAt-us)
			}
			maxAt = max(maxAt, us)
			n++
			if n%blockSize == 0 {
				sums = append(sums, blockSummary{block: next + n/blockSize - 1, maxAt: maxAt, late: late})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("audit: event blocks: %w", err)
		}
		if n != (end-next)*blockSize {
			return 0, fmt.Errorf("audit: event blocks: %d events in blocks %d-%d", n, next, end-1)
		}
		if err := insertBlocks(ctx, d, sums); err != nil {
			return 0, err
		}
		next = end
	}
	return complete, nil
}

func insertBlocks(ctx context.Context, d *db.DB, sums []blockSummary) error {
	if len(sums) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO event_blocks (block, max_at_us, late_us) VALUES `)
	args := make([]any, 0, len(sums)*3)
	for i, s := range sums {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(" + placeholders(i*3+1, 3) + ")")
		args = append(args, s.block, s.maxAt, s.late)
	}
	b.WriteString(` ON CONFLICT (block) DO NOTHING`)
	if _, err := d.ExecContext(ctx, db.Rebind(d.Engine, b.String()), args...); err != nil {
		return fmt.Errorf("audit: event blocks: %w", err)
	}
	return nil
}

// windowIndexes returns index bounds [lo, hi] outside which no event's
// time lies in [from, to); hi is -1 when the window may reach the end of
// the log.
func windowIndexes(ctx context.Context, d *db.DB, from, to time.Time) (lo, hi int64, err error) {
	complete, err := catchUpBlocks(ctx, d)
	if err != nil {
		return 0, 0, err
	}
	tail := complete * blockSize
	lo, hi = tail, -1
	var b int64
	err = d.QueryRowContext(ctx, `SELECT block FROM event_blocks WHERE max_at_us >= $1 ORDER BY max_at_us, block LIMIT 1`,
		from.UnixMicro()).Scan(&b)
	switch {
	case err == nil:
		lo = b * blockSize
	case !errors.Is(err, sql.ErrNoRows):
		return 0, 0, fmt.Errorf("audit: event blocks: %w", err)
	}
	if complete == 0 {
		return lo, hi, nil
	}
	// The events after the complete blocks are within the bound only if
	// none is earlier than to.
	early, err := tailBefore(ctx, d, tail, to)
	if err != nil || early {
		return lo, hi, err
	}
	last, _, err := lastBlock(ctx, d)
	if err != nil {
		return 0, 0, err
	}
	err = d.QueryRowContext(ctx, `SELECT block FROM event_blocks WHERE max_at_us >= $1 ORDER BY max_at_us, block LIMIT 1`,
		to.UnixMicro()+last.late).Scan(&b)
	switch {
	case err == nil:
		hi = (b+1)*blockSize - 1
	case !errors.Is(err, sql.ErrNoRows):
		return 0, 0, fmt.Errorf("audit: event blocks: %w", err)
	}
	return lo, hi, nil
}

// tailBefore reports whether an event from index tail on is earlier than to.
func tailBefore(ctx context.Context, d *db.DB, tail int64, to time.Time) (bool, error) {
	rows, err := d.QueryContext(ctx, `SELECT at FROM events WHERE idx >= $1`, tail)
	if err != nil {
		return false, fmt.Errorf("audit: event blocks: %w", err)
	}
	defer rows.Close()
	early := false
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return false, fmt.Errorf("audit: event blocks: %w", err)
		}
		early = early || at.Before(to)
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("audit: event blocks: %w", err)
	}
	return early, nil
}
