package stats

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/nrm-project/nrm/services/stats/catalogue"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/facts"
)

// queryer is a *sql.Tx or *sql.DB.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// wtx is the receiver's transaction with its engine, so that multi-row
// statements use the placeholders the engine handles fastest (inValues).
type wtx struct {
	*sql.Tx
	engine db.Engine
}

// rowsPerInsert bounds the rows of one multi-row INSERT.
const rowsPerInsert = 500

// markReceived records event ids and returns those that were not there
// before (the others are redeliveries).
func markReceived(ctx context.Context, tx wtx, ids []string, now time.Time) (map[string]bool, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{id, now}
	}
	fresh := make(map[string]bool, len(ids))
	err := tx.inValues(rows, func(values string, args []any) error {
		rs, err := tx.QueryContext(ctx, `INSERT INTO received (event_id, received_at) VALUES `+values+
			` ON CONFLICT (event_id) DO NOTHING RETURNING event_id`, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				return err
			}
			fresh[id] = true
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("stats: mark received: %w", err)
	}
	return fresh, nil
}

// ensureCases creates the rows of case keys on their first appearance,
// each with a record key that never changes afterwards.
func ensureCases(ctx context.Context, tx wtx, keys []string, recordKey func(string) uint32, now time.Time) error {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{k, int64(recordKey(k)), now}
	}
	if err := upsert(ctx, tx, `INSERT INTO cases (case_key, record_key, created_at) VALUES `, rows,
		` ON CONFLICT (case_key) DO NOTHING`); err != nil {
		return fmt.Errorf("stats: cases: %w", err)
	}
	return nil
}

// upsert runs insert (ending in VALUES) with rows, a statement per
// rowsPerInsert of them, each followed by conflict. The rows' keys are
// distinct: one statement may not change a row twice.
func upsert(ctx context.Context, tx wtx, insert string, rows [][]any, conflict string) error {
	return tx.inValues(rows, func(values string, args []any) error {
		_, err := tx.ExecContext(ctx, insert+values+conflict, args...)
		return err
	})
}

// inValues calls fn with the VALUES list "($1, $2), ($3, $4), ..." and the
// arguments of each rowsPerInsert of rows. On SQLite the list is "(?, ?),
// (?, ?), ...": SQLite and its driver look each "$N" (or "?N") up by name
// in a list, so a statement of hundreds of them costs quadratic time to
// prepare and to bind; anonymous parameters are taken in order.
func (tx wtx) inValues(rows [][]any, fn func(values string, args []any) error) error {
	for start := 0; start < len(rows); start += rowsPerInsert {
		chunk := rows[start:min(start+rowsPerInsert, len(rows))]
		var q strings.Builder
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for i, row := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				if tx.engine == db.SQLite {
					q.WriteByte('?')
				} else {
					fmt.Fprintf(&q, "$%d", len(args))
				}
			}
			q.WriteByte(')')
		}
		if err := fn(q.String(), args); err != nil {
			return err
		}
	}
	return nil
}

// setRegistrations stores the attributes of registered events, creating
// the case's row with them on its first appearance (one write instead of
// an empty row and an update). Should a case carry two, the one with the
// smaller event id wins whatever the order: within the batch here,
// against what is stored in the statement.
func setRegistrations(ctx context.Context, tx wtx, evs []facts.Event, recordKey func(string) uint32, now time.Time) error {
	best := map[string]facts.Event{}
	for _, e := range evs {
		if b, ok := best[e.CaseKey]; !ok || e.ID < b.ID {
			best[e.CaseKey] = e
		}
	}
	keys := make([]string, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		e := best[k]
		types := slices.Clone(e.ExploitationTypes)
		slices.Sort(types)
		types = slices.Compact(types)
		// Nationalities keep their order: the first listed is the one the
		// nationality table counts.
		var nats []string
		for _, n := range e.Nationalities {
			if !slices.Contains(nats, n) {
				nats = append(nats, n)
			}
		}
		month := e.IdentifiedMonth
		if month == "" {
			month = e.Month
		}
		child := e.TreatedAsChild != nil && *e.TreatedAsChild
		rows = append(rows, []any{e.CaseKey, int64(recordKey(e.CaseKey)), now, true, e.ID, month, e.Region, e.Gender,
			e.AgeGroup, e.ExploitationLocation, e.OrgKind, e.Route, strings.Join(types, ","), strings.Join(nats, ","),
			child, e.Unaccompanied, catalogue.ProtectionCode(e.ProtectionStatus)})
	}
	err := upsert(ctx, tx, `INSERT INTO cases (case_key, record_key, created_at, registered, reg_event, identified_month, region,
		gender, age_group, location, org_kind, route, exploitation, nationalities, treated_as_child, unaccompanied, protection_status) VALUES `, rows,
		` ON CONFLICT (case_key) DO UPDATE SET registered = TRUE, reg_event = excluded.reg_event,
		identified_month = excluded.identified_month, region = excluded.region, gender = excluded.gender,
		age_group = excluded.age_group, location = excluded.location, org_kind = excluded.org_kind,
		route = excluded.route, exploitation = excluded.exploitation, nationalities = excluded.nationalities,
		treated_as_child = excluded.treated_as_child, unaccompanied = excluded.unaccompanied,
		protection_status = excluded.protection_status
		WHERE NOT cases.registered OR cases.reg_event > excluded.reg_event`)
	if err != nil {
		return fmt.Errorf("stats: registrations: %w", err)
	}
	return nil
}

func insertLink(ctx context.Context, tx wtx, a, b string) error {
	if a > b {
		a, b = b, a
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO links (a, b) VALUES ($1, $2) ON CONFLICT (a, b) DO NOTHING`, a, b); err != nil {
		return fmt.Errorf("stats: link: %w", err)
	}
	return nil
}

// insertEvents stores decision, overdue and referral events, each its own
// record.
func insertEvents(ctx context.Context, tx wtx, evs []facts.Event, recordKey func(string) uint32) error {
	rows := make([][]any, len(evs))
	for i, e := range evs {
		rows[i] = []any{e.ID, e.CaseKey, e.Type, e.Month, int64(recordKey(e.ID)), e.Outcome, e.DaysTaken, e.WithinTarget,
			e.ReferralKey, e.Service, e.ResponseSeconds}
	}
	err := upsert(ctx, tx, `INSERT INTO events (event_id, case_key, type, month, record_key, outcome, days,
		within_target, referral_key, service, response_seconds) VALUES `, rows, ` ON CONFLICT (event_id) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("stats: events: %w", err)
	}
	return nil
}

// componentKeys returns the case keys linked (transitively) to any of keys.
func componentKeys(ctx context.Context, q queryer, keys []string) ([]string, error) {
	seen := map[string]bool{}
	var frontier []string
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			frontier = append(frontier, k)
		}
	}
	for len(frontier) > 0 {
		var next []string
		err := inChunks(frontier, func(chunk []string) error {
			ph, args := placeholders(chunk, 1)
			rows, err := q.QueryContext(ctx, `SELECT a, b FROM links WHERE a IN (`+ph+`) OR b IN (`+ph+`)`, args...)
			if err != nil {
				return fmt.Errorf("stats: links: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var a, b string
				if err := rows.Scan(&a, &b); err != nil {
					return fmt.Errorf("stats: links: %w", err)
				}
				for _, k := range []string{a, b} {
					if !seen[k] {
						seen[k] = true
						next = append(next, k)
					}
				}
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
		frontier = next
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// inChunks calls fn on successive parts of keys small enough for one
// statement's IN list.
func inChunks(keys []string, fn func([]string) error) error {
	for start := 0; start < len(keys); start += rowsPerInsert {
		if err := fn(keys[start:min(start+rowsPerInsert, len(keys))]); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "$n, $n+1, ..." for vs and the arguments.
func placeholders(vs []string, from int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(vs))
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
		args[i] = v
	}
	return b.String(), args
}

// loadComponent reads the facts of the given case keys.
func loadComponent(ctx context.Context, q queryer, keys []string) (catalogue.Component, error) {
	var c catalogue.Component
	err := inChunks(keys, func(chunk []string) error { return loadFacts(ctx, q, chunk, &c) })
	return c, err
}

// loadFacts adds the facts of keys to c.
func loadFacts(ctx context.Context, q queryer, keys []string, c *catalogue.Component) error {
	ph, args := placeholders(keys, 1)
	rows, err := q.QueryContext(ctx, `SELECT case_key, record_key, registered, reg_event, identified_month, region,
		gender, age_group, location, org_kind, route, exploitation, nationalities, treated_as_child, unaccompanied,
		protection_status
		FROM cases WHERE case_key IN (`+ph+`) ORDER BY case_key`, args...)
	if err != nil {
		return fmt.Errorf("stats: load cases: %w", err)
	}
	for rows.Next() {
		var (
			x           catalogue.CaseFact
			rk          int64
			types, nats string
		)
		if err := rows.Scan(&x.Key, &rk, &x.Registered, &x.RegEvent, &x.IdentifiedMonth, &x.Region, &x.Gender,
			&x.AgeGroup, &x.Location, &x.OrgKind, &x.Route, &types, &nats, &x.TreatedAsChild, &x.Unaccompanied,
			&x.Protection); err != nil {
			rows.Close()
			return fmt.Errorf("stats: load cases: %w", err)
		}
		x.RecordKey = uint32(rk)
		x.Nationality, _, _ = strings.Cut(nats, ",")
		if types != "" {
			x.Types = strings.Split(types, ",")
		}
		c.Cases = append(c.Cases, x)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT a, b FROM links WHERE a IN (`+ph+`)`, args...)
	if err != nil {
		return fmt.Errorf("stats: load links: %w", err)
	}
	for rows.Next() {
		var l [2]string
		if err := rows.Scan(&l[0], &l[1]); err != nil {
			rows.Close()
			return fmt.Errorf("stats: load links: %w", err)
		}
		c.Links = append(c.Links, l)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT event_id, case_key, type, month, record_key, outcome, days, within_target,
		referral_key, service, response_seconds FROM events WHERE case_key IN (`+ph+`) ORDER BY event_id`, args...)
	if err != nil {
		return fmt.Errorf("stats: load events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e      catalogue.EventFact
			rk     int64
			days   sql.NullInt64
			within sql.NullBool
			resp   sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &e.CaseKey, &e.Type, &e.Month, &rk, &e.Outcome, &days, &within,
			&e.ReferralKey, &e.Service, &resp); err != nil {
			return fmt.Errorf("stats: load events: %w", err)
		}
		e.RecordKey = uint32(rk)
		if days.Valid {
			d := int(days.Int64)
			e.Days = &d
		}
		if within.Valid {
			e.WithinTarget = &within.Bool
		}
		if resp.Valid {
			e.ResponseSeconds = &resp.Int64
		}
		c.Events = append(c.Events, e)
	}
	return rows.Err()
}

// cellRow is a stored aggregate cell.
type cellRow struct {
	Cell   string
	N      int64
	KeySum uint32
}

// readCells returns the aggregate cells of a table for a period, and the
// histograms of its cells when withHist.
func readCells(ctx context.Context, q queryer, table, period string, withHist bool) ([]cellRow, map[string]map[int]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT cell, n, keysum FROM cells WHERE tbl = $1 AND period = $2`, table, period)
	if err != nil {
		return nil, nil, fmt.Errorf("stats: read cells: %w", err)
	}
	var out []cellRow
	for rows.Next() {
		var (
			r  cellRow
			ks int64
		)
		if err := rows.Scan(&r.Cell, &r.N, &ks); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("stats: read cells: %w", err)
		}
		r.KeySum = uint32(ks)
		out = append(out, r)
	}
	if err := rows.Close(); err != nil {
		return nil, nil, fmt.Errorf("stats: read cells: %w", err)
	}
	if !withHist {
		return out, nil, nil
	}
	hist := map[string]map[int]int64{}
	rows, err = q.QueryContext(ctx, `SELECT cell, value, n FROM cell_values WHERE tbl = $1 AND period = $2 AND n > 0`, table, period)
	if err != nil {
		return nil, nil, fmt.Errorf("stats: read histograms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			cell string
			v    int
			n    int64
		)
		if err := rows.Scan(&cell, &v, &n); err != nil {
			return nil, nil, fmt.Errorf("stats: read histograms: %w", err)
		}
		if hist[cell] == nil {
			hist[cell] = map[int]int64{}
		}
		hist[cell][v] = n
	}
	return out, hist, rows.Err()
}

// receiverLockKey is the statistics receivers' advisory lock. It once
// shared the audit log's key, so every statistics batch held up the
// audit log's appends and the other way round.
var receiverLockKey = db.AdvisoryLockKey("stats/receiver")

// lockReceiver serialises receivers across replicas on PostgreSQL (SQLite
// transactions are already exclusive), so two batches never compute their
// differences from the same before-state.
func lockReceiver(ctx context.Context, d *db.DB, tx *sql.Tx) error {
	if d.Engine != db.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, receiverLockKey); err != nil {
		return fmt.Errorf("stats: receiver lock: %w", err)
	}
	return nil
}
