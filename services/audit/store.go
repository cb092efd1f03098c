package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
)

// advisoryLockKey serialises appends across processes on PostgreSQL. Other
// services take keys from db.AdvisoryLockKey, never this one.
const advisoryLockKey = 7436101

const eventColumns = `idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq`

// Entry is an event at its index in the log.
type Entry struct {
	Index int64 `json:"index"`
	event.Audit
}

// queryer is what a *sql.DB and a *sql.Tx share.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func treeSize(ctx context.Context, q queryer) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM events`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: tree size: %w", err)
	}
	return n, nil
}

func lastSeq(ctx context.Context, q queryer, source string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, db.CustomPlan+`SELECT COALESCE(MAX(seq), 0) FROM events WHERE source = $1`, source).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: last seq of %s: %w", source, err)
	}
	return n, nil
}

func seqExists(ctx context.Context, q queryer, source string, seq int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM events WHERE source = $1 AND seq = $2`, source, seq).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("audit: seq lookup: %w", err)
	}
	return true, nil
}

// existingIDs returns which of ids are already in the log.
func existingIDs(ctx context.Context, q queryer, ids []string) (map[string]bool, error) {
	found := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT id FROM events WHERE id IN (`+placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("audit: id lookup: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("audit: id lookup: %w", err)
			}
			found[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("audit: id lookup: %w", err)
		}
	}
	return found, nil
}

func placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + i))
	}
	return b.String()
}

// insertEntries writes entries with multi-row inserts.
func insertEntries(ctx context.Context, tx *sql.Tx, engine db.Engine, es []Entry) error {
	const cols, chunk = 14, 200
	for start := 0; start < len(es); start += chunk {
		part := es[start:min(start+chunk, len(es))]
		var b strings.Builder
		b.WriteString(`INSERT INTO events (` + eventColumns + `) VALUES `)
		args := make([]any, 0, len(part)*cols)
		for i, e := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(" + placeholders(i*cols+1, cols) + ")")
			args = append(args, e.Index, e.ID, e.Time.UTC(), e.ActorUser, e.ActorOrg, e.ActorRole, e.Action,
				e.ObjectType, e.ObjectID, string(e.Outcome), e.RequestID, e.ClientHash, e.Source, e.Seq)
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(engine, b.String()), args...); err != nil {
			return fmt.Errorf("audit: insert events: %w", err)
		}
	}
	return nil
}

// insertHashes writes stored hashes first, first+1, ...
func insertHashes(ctx context.Context, tx *sql.Tx, e db.Engine, first int64, hs []tlog.Hash) error {
	const chunk = 500
	for start := 0; start < len(hs); start += chunk {
		part := hs[start:min(start+chunk, len(hs))]
		var b strings.Builder
		b.WriteString(`INSERT INTO hashes (idx, hash) VALUES `)
		args := make([]any, 0, len(part)*2)
		for i := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(" + placeholders(i*2+1, 2) + ")")
			args = append(args, first+int64(start+i), part[i][:])
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(e, b.String()), args...); err != nil {
			return fmt.Errorf("audit: insert hashes: %w", err)
		}
	}
	return nil
}

// readHashes reads stored hashes by index, in the order asked.
func readHashes(ctx context.Context, q queryer, idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	if len(idx) == 0 {
		return out, nil
	}
	pos := make(map[int64][]int, len(idx))
	args := make([]any, 0, len(idx))
	for i, x := range idx {
		if _, ok := pos[x]; !ok {
			args = append(args, x)
		}
		pos[x] = append(pos[x], i)
	}
	rows, err := q.QueryContext(ctx, `SELECT idx, hash FROM hashes WHERE idx IN (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read hashes: %w", err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var (
			x int64
			h []byte
		)
		if err := rows.Scan(&x, &h); err != nil {
			return nil, fmt.Errorf("audit: read hashes: %w", err)
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("audit: stored hash %d has %d bytes", x, len(h))
		}
		for _, i := range pos[x] {
			copy(out[i][:], h)
			seen++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read hashes: %w", err)
	}
	if seen != len(idx) {
		return nil, fmt.Errorf("audit: read hashes: %d of %d missing", len(idx)-seen, len(idx))
	}
	return out, nil
}

// dbHashReader reads stored hashes from q.
func dbHashReader(ctx context.Context, q queryer) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return readHashes(ctx, q, idx) })
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var (
		e       Entry
		outcome string
	)
	err := rows.Scan(&e.Index, &e.ID, &e.Time, &e.ActorUser, &e.ActorOrg, &e.ActorRole, &e.Action,
		&e.ObjectType, &e.ObjectID, &outcome, &e.RequestID, &e.ClientHash, &e.Source, &e.Seq)
	e.Outcome = event.Outcome(outcome)
	e.Time = e.Time.UTC()
	return e, err
}

// Query selects events for auditors. Empty fields do not filter; After is
// an index cursor (events with a greater index); Limit is capped.
type Query struct {
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	Org        string    `json:"org,omitempty"`
	Action     string    `json:"action,omitempty"`
	Outcome    string    `json:"outcome,omitempty"`
	From       time.Time `json:"from,omitzero"`
	To         time.Time `json:"to,omitzero"`
	After      *int64    `json:"after,omitempty"` // cursor: events with a greater index
	Limit      int       `json:"limit,omitempty"`
	actions    []string  // for alert listings
}

// filter numbers placeholders as conditions are added.
type filter struct {
	conds []string
	args  []any
}

func (f *filter) add(cond string, arg any) {
	f.args = append(f.args, arg)
	f.conds = append(f.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(f.args))))
}

func queryEntries(ctx context.Context, d *db.DB, q Query) ([]Entry, error) {
	var f filter
	after := int64(-1)
	if q.After != nil {
		after = *q.After
	}
	f.add("idx > ?", after)
	for _, c := range []struct{ col, v string }{
		{"object_type", q.ObjectType}, {"object_id", q.ObjectID}, {"actor_user", q.Actor},
		{"actor_org", q.Org}, {"action", q.Action}, {"outcome", q.Outcome},
	} {
		if c.v != "" {
			f.add(c.col+" = ?", c.v)
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		// The window becomes index bounds first (store_blocks.go), so that
		// a page is a range of idx however large the window or far from
		// the cursor it lies.
		from, to := q.From, q.To
		if from.IsZero() {
			from = time.Unix(0, 0)
		}
		if to.IsZero() {
			to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		lo, hi, err := windowIndexes(ctx, d, from.UTC(), to.UTC())
		if err != nil {
			return nil, err
		}
		f.add("idx >= ?", lo)
		if hi >= 0 {
			if hi <= after {
				return nil, nil
			}
			f.add("idx <= ?", hi)
		}
		f.add("at >= ?", from.UTC())
		f.add("at < ?", to.UTC())
	}
	if len(q.actions) > 0 {
		ph := make([]string, len(q.actions))
		for i, a := range q.actions {
			f.args = append(f.args, a)
			ph[i] = "$" + strconv.Itoa(len(f.args))
		}
		f.conds = append(f.conds, "action IN ("+strings.Join(ph, ",")+")")
	}
	f.args = append(f.args, q.Limit)
	// Planned for its arguments at every call: a generic plan cannot know
	// whether a filter matches ten events or half the log.
	sqlText := db.CustomPlan + `SELECT ` + eventColumns + ` FROM events WHERE ` + strings.Join(f.conds, " AND ") +
		` ORDER BY idx LIMIT $` + strconv.Itoa(len(f.args))
	rows, err := d.QueryContext(ctx, sqlText, f.args...)
	if err != nil {
		return nil, fmt.Errorf("audit: query events: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: query events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: query events: %w", err)
	}
	return out, nil
}

func entryByID(ctx context.Context, d *db.DB, id string) (Entry, error) {
	rows, err := d.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = $1`, id)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: event by id: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Entry{}, fmt.Errorf("audit: event by id: %w", err)
		}
		return Entry{}, ErrNotFound
	}
	e, err := scanEntry(rows)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: event by id: %w", err)
	}
	return e, nil
}

// insertMACs writes the MACs of entries, in chunks.
func insertMACs(ctx context.Context, tx *sql.Tx, engine db.Engine, key []byte, es []Entry) error {
	const chunk = 500
	for start := 0; start < len(es); start += chunk {
		part := es[start:min(start+chunk, len(es))]
		var b strings.Builder
		b.WriteString(`INSERT INTO leaf_macs (idx, mac) VALUES `)
		args := make([]any, 0, len(part)*2)
		for i, e := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(" + placeholders(i*2+1, 2) + ")")
			mac := leafMAC(key, e.Index, LeafData(e.Audit))
			args = append(args, e.Index, mac[:])
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(engine, b.String()), args...); err != nil {
			return fmt.Errorf("audit: insert leaf MACs: %w", err)
		}
	}
	return nil
}
