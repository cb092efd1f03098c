package store

import (
	"context"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// Closed is a case whose support track is closed: when it closed last and
// whether a legal hold keeps it.
type Closed struct {
	CaseID   string
	Held     bool
	ClosedAt time.Time
}

// ClosedCases returns the cases whose support track is closed, each with
// its latest closure, by case id: the retention purge's candidates.
func (s *Store) ClosedCases(ctx context.Context) ([]Closed, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT w.case_id, w.legal_hold, d.decided_at FROM case_workflow w
		JOIN decisions d ON d.case_id = w.case_id AND d.track = 'support' AND d.to_state = 'closed'
		WHERE w.support_state = 'closed' ORDER BY w.case_id, d.decided_at`)
	if err != nil {
		return nil, fmt.Errorf("intake: purge: %w", err)
	}
	defer rows.Close()
	var out []Closed
	for rows.Next() {
		var c Closed
		if err := rows.Scan(&c.CaseID, &c.Held, &c.ClosedAt); err != nil {
			return nil, fmt.Errorf("intake: purge: %w", err)
		}
		// The latest closure counts: rows come oldest first per case.
		if n := len(out); n > 0 && out[n-1].CaseID == c.CaseID {
			out[n-1] = c
			continue
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intake: purge: %w", err)
	}
	return out, nil
}

// LiveEntryClasses returns the retention class of each entry of the case
// not purged yet, by entry id.
func (s *Store) LiveEntryClasses(ctx context.Context, q Querier, caseID string) (ids, classes []string, err error) {
	rows, err := q.QueryContext(ctx, `SELECT id, retention_class FROM entries WHERE case_id = $1 AND purged_at IS NULL`, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("intake: purge entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, class string
		if err := rows.Scan(&id, &class); err != nil {
			return nil, nil, fmt.Errorf("intake: purge entries: %w", err)
		}
		ids, classes = append(ids, id), append(classes, class)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("intake: purge entries: %w", err)
	}
	return ids, classes, nil
}

// PurgeEntry drops the entry's keys and content, keeping the row (who
// wrote what kind of entry when) marked purged at now.
func (s *Store) PurgeEntry(ctx context.Context, q Querier, id string, now time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM entry_keys WHERE entry_id = $1`, id); err != nil {
		return fmt.Errorf("intake: purge entry keys: %w", err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE entries SET sealed = $2, purged_at = $3 WHERE id = $1`, id, []byte{}, now); err != nil {
		return fmt.Errorf("intake: purge entry: %w", err)
	}
	return nil
}

// DeleteSection deletes one sealed section version of the case.
func (s *Store) DeleteSection(ctx context.Context, q Querier, caseID, section string, version int) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sections WHERE case_id = $1 AND section = $2 AND version = $3`,
		caseID, section, version); err != nil {
		return fmt.Errorf("intake: purge section: %w", err)
	}
	return nil
}

// Checkpoint truncates SQLite's write-ahead log, so purged pages leave the
// log file too; it reports false when readers kept it from finishing. On
// PostgreSQL it does nothing.
func (s *Store) Checkpoint(ctx context.Context) (bool, error) {
	if s.db.Engine != db.SQLite {
		return true, nil
	}
	var busy, frames, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
		return false, fmt.Errorf("intake: purge: checkpoint: %w", err)
	}
	return busy == 0, nil
}
