package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// The statements of the alert windows (alertwindow.go).

// windowEvents returns the times of the stored events that count towards
// subjects' windows, from after cut.
func windowEvents(ctx context.Context, tx *sql.Tx, engine db.Engine, subjects []subject, cut time.Time) (map[subject][]time.Time, error) {
	var users, clients, readers []any
	for _, s := range subjects {
		switch {
		case s.action == ActionBulkRead:
			readers = append(readers, s.key)
		case strings.HasPrefix(s.key, "client:"):
			clients = append(clients, strings.TrimPrefix(s.key, "client:"))
		default:
			users = append(users, s.key)
		}
	}
	out := map[subject][]time.Time{}
	queries := []struct {
		action, prefix, where string
		keys                  []any
	}{
		{ActionDenialSpike, "", `outcome = 'denied' AND actor_user IN (%s)`, users},
		{ActionDenialSpike, "client:", `outcome = 'denied' AND actor_user = '' AND client_hash IN (%s)`, clients},
		{ActionBulkRead, "", `outcome = 'allowed' AND action LIKE '%%.read' AND actor_user IN (%s)`, readers},
	}
	for _, q := range queries {
		if len(q.keys) == 0 {
			continue
		}
		col := "actor_user"
		if q.prefix != "" {
			col = "client_hash"
		}
		stmt := `SELECT ` + col + `, at FROM events WHERE at > $1 AND ` + fmt.Sprintf(q.where, placeholders(2, len(q.keys)))
		rows, err := tx.QueryContext(ctx, db.Rebind(engine, stmt), append([]any{cut.UTC()}, q.keys...)...)
		if err != nil {
			return nil, fmt.Errorf("audit: alert window: %w", err)
		}
		for rows.Next() {
			var key string
			var at time.Time
			if err := rows.Scan(&key, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("audit: alert window: %w", err)
			}
			s := subject{q.action, q.prefix + key}
			out[s] = append(out[s], at.UTC())
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("audit: alert window: %w", err)
		}
	}
	return out, nil
}

// lastAlerts returns when each subject's latest alert was raised.
func lastAlerts(ctx context.Context, tx *sql.Tx, engine db.Engine, subjects []subject) (map[subject]time.Time, error) {
	ids := make([]any, 0, len(subjects))
	for _, s := range subjects {
		ids = append(ids, strings.TrimPrefix(s.key, "client:"))
	}
	// Alerts are few: their times are compared here (SQLite's MAX over a
	// timestamp column returns text).
	stmt := `SELECT action, object_type, object_id, at FROM events
		WHERE action IN ($1, $2) AND object_type IN ('user', 'client') AND object_id IN (` + placeholders(3, len(ids)) + `)`
	rows, err := tx.QueryContext(ctx, db.Rebind(engine, stmt), append([]any{ActionDenialSpike, ActionBulkRead}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("audit: last alerts: %w", err)
	}
	defer rows.Close()
	out := map[subject]time.Time{}
	for rows.Next() {
		var action, typ, id string
		var at time.Time
		if err := rows.Scan(&action, &typ, &id, &at); err != nil {
			return nil, fmt.Errorf("audit: last alerts: %w", err)
		}
		key := id
		if typ == "client" {
			key = "client:" + id
		}
		if s := (subject{action, key}); at.After(out[s]) {
			out[s] = at.UTC()
		}
	}
	return out, rows.Err()
}
