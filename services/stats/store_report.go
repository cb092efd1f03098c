package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The statements on stored annual reports.

// latestSnapshots returns the latest snapshot release of each period (""
// for a period never released).
func latestSnapshots(ctx context.Context, q queryer, periods []string) (map[string]string, error) {
	out := make(map[string]string, len(periods))
	for _, p := range periods {
		name, err := latestSnapshot(ctx, q, p)
		if err != nil {
			return nil, err
		}
		out[p] = name
	}
	return out, nil
}

// storedReport returns the report of period built from the releases key
// names, if stored.
func storedReport(ctx context.Context, q queryer, period, key string) (AnnualReport, bool, error) {
	var body string
	err := q.QueryRowContext(ctx, `SELECT body FROM annual_reports WHERE period = $1 AND releases = $2`, period, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return AnnualReport{}, false, nil
	}
	if err != nil {
		return AnnualReport{}, false, fmt.Errorf("stats: stored report: %w", err)
	}
	var r AnnualReport
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return AnnualReport{}, false, fmt.Errorf("stats: stored report: %w", err)
	}
	r.raw = []byte(body)
	return r, true, nil
}

// storeReport stores a report under the releases it was built from; a
// concurrent view that stored it first wins (the two are the same).
func storeReport(ctx context.Context, q queryer, period, key string, r AnnualReport, now time.Time) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("stats: encode report: %w", err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO annual_reports (period, releases, body, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (period, releases) DO NOTHING`, period, key, string(b), now); err != nil {
		return fmt.Errorf("stats: store report: %w", err)
	}
	return nil
}
