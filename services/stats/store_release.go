package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The statements on releases and their answers.

// listReleases returns the releases of period (every release when
// period is empty), newest first, without their tables.
func listReleases(ctx context.Context, q queryer, period string) ([]Release, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, method, period, epsilon, spent, created_at, as_of FROM releases
		WHERE $1 = '' OR period = $1 OR name IN (SELECT release FROM release_tables WHERE period = $1 AND epsilon > 0)
		ORDER BY created_at DESC, seq DESC, name LIMIT `+strconv.Itoa(maxReleasesListed), period)
	if err != nil {
		return nil, fmt.Errorf("stats: releases: %w", err)
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		var (
			r    Release
			asOf sql.NullTime
		)
		if err := rows.Scan(&r.Name, &r.Method, &r.Period, &r.Epsilon, &r.Spent, &r.CreatedAt, &asOf); err != nil {
			return nil, fmt.Errorf("stats: releases: %w", err)
		}
		r.CreatedAt = r.CreatedAt.UTC()
		r.AsOf = utcOrNil(asOf)
		out = append(out, r)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("stats: releases: %w", err)
	}
	return out, nil
}

func utcOrNil(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// releaseTableRow is a table a release answered, as stored.
type releaseTableRow struct {
	ReleasedTable
	created time.Time
	answer  string // the stored answer, when asked for
}

// releaseTableRows returns the tables release answered, by table and
// period, with their stored answers when withAnswers.
func releaseTableRows(ctx context.Context, q queryer, release string, withAnswers bool) ([]releaseTableRow, error) {
	answer := "''"
	if withAnswers {
		answer = "answer"
	}
	rows, err := q.QueryContext(ctx, `SELECT tbl, period, epsilon, carried_from, created_at, `+answer+`
		FROM release_tables WHERE release = $1 ORDER BY tbl, period`, release)
	if err != nil {
		return nil, fmt.Errorf("stats: release tables: %w", err)
	}
	defer rows.Close()
	var out []releaseTableRow
	for rows.Next() {
		var t releaseTableRow
		if err := rows.Scan(&t.Table, &t.Period, &t.Epsilon, &t.CarriedFrom, &t.created, &t.answer); err != nil {
			return nil, fmt.Errorf("stats: release tables: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("stats: release tables: %w", err)
	}
	return out, nil
}

// withheldTables returns the tables a snapshot withheld, with the reasons.
func withheldTables(ctx context.Context, q queryer, release string) ([]ReleasedTable, error) {
	rows, err := q.QueryContext(ctx, `SELECT tbl, reason, detail FROM release_withheld WHERE release = $1`, release)
	if err != nil {
		return nil, fmt.Errorf("stats: withheld tables: %w", err)
	}
	defer rows.Close()
	var out []ReleasedTable
	for rows.Next() {
		t := ReleasedTable{Status: StatusWithheld}
		if err := rows.Scan(&t.Table, &t.Reason, &t.Detail); err != nil {
			return nil, fmt.Errorf("stats: withheld tables: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("stats: withheld tables: %w", err)
	}
	return out, nil
}

// releaseTimes returns when release was made and the time its data is as
// of.
func releaseTimes(ctx context.Context, q queryer, release string) (time.Time, *time.Time, error) {
	var (
		created time.Time
		asOf    sql.NullTime
	)
	if err := q.QueryRowContext(ctx, `SELECT created_at, as_of FROM releases WHERE name = $1`, release).Scan(&created, &asOf); err != nil {
		return time.Time{}, nil, fmt.Errorf("stats: release: %w", err)
	}
	return created.UTC(), utcOrNil(asOf), nil
}

// changedMonths returns, for each month before the given one (YYYY-MM),
// the latest data version that changed it.
func changedMonths(ctx context.Context, q queryer, before string) (map[string]int64, error) {
	return versionsBy(ctx, q, `SELECT month, MAX(version) FROM change_sets WHERE month < $1 GROUP BY month`, before)
}

// snapshotVersions returns, for each period with a snapshot, the latest
// data version its answers carry.
func snapshotVersions(ctx context.Context, q queryer) (map[string]int64, error) {
	return versionsBy(ctx, q, `SELECT period, MAX(version) FROM release_tables WHERE epsilon = 0 GROUP BY period`)
}

func versionsBy(ctx context.Context, q queryer, query string, args ...any) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("stats: stale periods: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			k string
			v int64
		)
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("stats: stale periods: %w", err)
		}
		out[k] = v
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("stats: stale periods: %w", err)
	}
	return out, nil
}

// changedSince counts the cases whose records in table, in months, changed
// after data version v: the subjects of the later change sets.
func changedSince(ctx context.Context, q queryer, table string, months []string, v int64) (int, error) {
	ph, args := placeholders(months, 3)
	rows, err := q.QueryContext(ctx, `SELECT subjects FROM change_sets WHERE tbl = $1 AND version > $2 AND month IN (`+ph+`)`,
		append([]any{table, v}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("stats: changes: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var subjects string
		if err := rows.Scan(&subjects); err != nil {
			return 0, fmt.Errorf("stats: changes: %w", err)
		}
		for s := range strings.SplitSeq(subjects, ",") {
			seen[s] = true
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("stats: changes: %w", err)
	}
	return len(seen), nil
}

// dataVersionAsOf returns the data version and when a receiver batch last
// changed the aggregates (nil before the first, or before that was kept).
func dataVersionAsOf(ctx context.Context, q queryer) (int64, *time.Time, error) {
	var (
		v    int64
		asOf sql.NullTime
	)
	if err := q.QueryRowContext(ctx, `SELECT last, as_of FROM data_version WHERE id = 1`).Scan(&v, &asOf); err != nil {
		return 0, nil, fmt.Errorf("stats: data version: %w", err)
	}
	if !asOf.Valid {
		return v, nil, nil
	}
	t := asOf.Time.UTC()
	return v, &t, nil
}

// latestSnapshot returns the name of the latest snapshot release of
// period, or "" when there is none.
func latestSnapshot(ctx context.Context, q queryer, period string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM releases WHERE method = $1 AND period = $2 ORDER BY seq DESC LIMIT 1`,
		MethodCellKey, period).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("stats: latest release: %w", err)
	}
	return name, nil
}

func releaseAbsent(ctx context.Context, q queryer, name string) error {
	var exists int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM releases WHERE name = $1`, name).Scan(&exists)
	switch {
	case err == nil:
		return ErrReleaseExists
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("stats: release: %w", err)
	}
	return nil
}

// storeAnswer stores a table of a release, stamped with the data version
// it was computed at.
func storeAnswer(ctx context.Context, tx *sql.Tx, release string, t Table, epsilon float64, version int64, carriedFrom string, now time.Time) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("stats: encode answer: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO release_tables (release, tbl, period, epsilon, answer, created_at, version, carried_from)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, release, t.Name, t.Period, epsilon, string(b), now, version, carriedFrom); err != nil {
		return fmt.Errorf("stats: store answer: %w", err)
	}
	return nil
}

// storedAnswer reads a table of a release; a snapshot release without it
// withheld it.
func storedAnswer(ctx context.Context, q queryer, release, table, period string) (Table, error) {
	var answer string
	err := q.QueryRowContext(ctx, `SELECT answer FROM release_tables WHERE release = $1 AND tbl = $2 AND period = $3`,
		release, table, period).Scan(&answer)
	if errors.Is(err, sql.ErrNoRows) {
		return Table{}, ErrWithheld
	}
	if err != nil {
		return Table{}, fmt.Errorf("stats: stored answer: %w", err)
	}
	var t Table
	if err := json.Unmarshal([]byte(answer), &t); err != nil {
		return Table{}, fmt.Errorf("stats: stored answer: %w", err)
	}
	return t, nil
}

// insertSnapshot records a snapshot release of period, numbered after
// every release before it.
func insertSnapshot(ctx context.Context, tx *sql.Tx, name, by string, at time.Time, period string, asOf *time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO releases (name, epsilon, spent, created_by, created_at, method, period, seq, as_of)
		SELECT $1, 0, 0, $2, $3, $4, $5, COALESCE(MAX(seq), 0) + 1, $6 FROM releases`,
		name, by, at, MethodCellKey, period, nullTime(asOf)); err != nil {
		return fmt.Errorf("stats: release: %w", err)
	}
	return nil
}

// previousAnswer returns the stored answer of a table for period in the
// release prev, the data version it was computed at and the release it
// was first published in ("" for prev itself); no answer when there is
// none.
func previousAnswer(ctx context.Context, q queryer, prev, table, period string) (answer string, version int64, origin string, err error) {
	err = q.QueryRowContext(ctx, `SELECT answer, version, carried_from FROM release_tables
		WHERE release = $1 AND tbl = $2 AND period = $3`, prev, table, period).Scan(&answer, &version, &origin)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", 0, "", fmt.Errorf("stats: previous release: %w", err)
	}
	return answer, version, origin, nil
}

// insertWithheld records a table a snapshot withheld and why.
func insertWithheld(ctx context.Context, tx *sql.Tx, release, table, reason, detail string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO release_withheld (release, tbl, reason, detail) VALUES ($1, $2, $3, $4)`,
		release, table, reason, detail); err != nil {
		return fmt.Errorf("stats: withheld table: %w", err)
	}
	return nil
}

// lastChange returns the data version of the latest change to table in
// months, 0 when none changed.
func lastChange(ctx context.Context, q queryer, table string, months []string) (int64, error) {
	ph, args := placeholders(months, 2)
	var v int64
	err := q.QueryRowContext(ctx, `SELECT version FROM change_sets WHERE tbl = $1 AND month IN (`+ph+`)
		ORDER BY version DESC LIMIT 1`, append([]any{table}, args...)...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("stats: last change: %w", err)
	}
	return v, nil
}

// answerBefore returns the data version of the latest stored answer of
// table for period computed before data version v; false when there is
// none.
func answerBefore(ctx context.Context, q queryer, table, period string, v int64) (int64, bool, error) {
	var version int64
	err := q.QueryRowContext(ctx, `SELECT version FROM release_tables WHERE tbl = $1 AND period = $2 AND version < $3
		ORDER BY version DESC LIMIT 1`, table, period, v).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("stats: published answers: %w", err)
	}
	return version, true, nil
}

// nextDataVersion bumps the data version, stamped with now (what releases
// are as of), and returns it.
func nextDataVersion(ctx context.Context, tx *sql.Tx, now time.Time) (int64, error) {
	var version int64
	if err := tx.QueryRowContext(ctx, `UPDATE data_version SET last = last + 1, as_of = $1 WHERE id = 1 RETURNING last`, now).Scan(&version); err != nil {
		return 0, fmt.Errorf("stats: data version: %w", err)
	}
	return version, nil
}
