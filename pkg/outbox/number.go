package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// numberChunk bounds the messages one numbering transaction takes.
const numberChunk = 1000

// number gives topic's committed, unnumbered messages the next numbers of
// the topic's gap-free sequence, in the order they were written (a message
// committed more than stragglerWindow after it was written may come after
// later ones: see cursors), and commits them before anything is delivered:
// a number, once a receiver has seen it, never moves to another message.
// It returns how many it numbered.
//
// Numbering here rather than in the writers' transactions means writers
// share no lock: one sequence row locked from a writer's statement to its
// commit would let only one transaction of the whole service commit at a
// time. The numbering transaction locks the topic's row instead, once per
// batch. A message deleted from the database before it is numbered leaves
// no gap; one deleted after does, and its receiver flags it.
func (r *Relay) number(ctx context.Context, topic string) (int, error) {
	if err := r.ensureStream(ctx, topic); err != nil {
		return 0, err
	}
	var (
		numbered int
		lastPos  int64
	)
	now := time.Now() // the cursors' clock is the machine's, not opts.Now
	from, full := r.cursors.unnumberedFrom(topic, now)
	// Most passes find nothing to number (an idle relay polls). A read
	// says so without the numbering transaction, which locks the topic's
	// row and, on SQLite, takes the database's one write lock from the
	// service's writers. A message committed after this read is numbered
	// by the next pass, as one committed after the transaction began is.
	if none, err := r.nothingToNumber(ctx, topic, from); err != nil || none {
		if err == nil {
			r.cursors.numbered(topic, now, 0, full)
		}
		return 0, err
	}
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		numbered, lastPos = 0, 0
		// Lock the stream first: another replica numbering the same topic
		// waits here and then sees these rows numbered.
		lock := ""
		if r.db.Engine == db.Postgres {
			lock = ` FOR UPDATE`
		}
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT last FROM outbox_seq WHERE topic = $1`+lock, topic).Scan(&last); err != nil {
			return fmt.Errorf("outbox: relay %s: %s: stream: %w", r.service, topic, err)
		}
		pos, err := unnumbered(ctx, tx, topic, from)
		if err != nil || len(pos) == 0 {
			return err
		}
		var q strings.Builder
		q.WriteString(db.CustomPlan + `UPDATE outbox SET seq = v.column2 FROM (VALUES `)
		args := make([]any, 0, 2*len(pos)+1)
		args = append(args, topic)
		for i, p := range pos {
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "(CAST($%d AS BIGINT), CAST($%d AS BIGINT))", n+1, n+2)
			args = append(args, p, last+int64(i)+1)
		}
		// The batch's range of positions bounds the scan of the unnumbered
		// index, which holds an entry for every message numbered since the
		// table was last vacuumed.
		fmt.Fprintf(&q, `) AS v WHERE outbox.pos = v.column1 AND outbox.topic = $1 AND outbox.seq IS NULL
			AND outbox.pos >= CAST($%d AS BIGINT) AND outbox.pos <= CAST($%d AS BIGINT)`, len(args)+1, len(args)+2)
		args = append(args, pos[0], pos[len(pos)-1])
		res, err := tx.ExecContext(ctx, db.Rebind(r.db.Engine, q.String()), args...)
		if err != nil {
			return fmt.Errorf("outbox: relay %s: %s: number: %w", r.service, topic, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(pos)) {
			return fmt.Errorf("outbox: relay %s: %s: number: %d of %d messages numbered (%v)", r.service, topic, n, len(pos), err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox_seq SET last = $1 WHERE topic = $2`,
			last+int64(len(pos)), topic); err != nil {
			return fmt.Errorf("outbox: relay %s: %s: advance stream: %w", r.service, topic, err)
		}
		numbered, lastPos = len(pos), pos[len(pos)-1]
		return nil
	})
	if err == nil {
		r.cursors.numbered(topic, now, lastPos, full)
	}
	return numbered, err
}

// nothingToNumber reports whether topic has no unnumbered message after
// position from.
func (r *Relay) nothingToNumber(ctx context.Context, topic string, from int64) (bool, error) {
	var one int
	err := r.db.QueryRowContext(ctx,
		db.CustomPlan+`SELECT 1 FROM outbox WHERE topic = $1 AND seq IS NULL AND pos > $2 LIMIT 1`, topic, from).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("outbox: relay %s: %s: unnumbered: %w", r.service, topic, err)
	}
	return false, nil
}

// unnumbered returns the positions after from of topic's unnumbered
// messages, oldest first, at most numberChunk.
func unnumbered(ctx context.Context, tx *sql.Tx, topic string, from int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx,
		db.CustomPlan+`SELECT pos FROM outbox WHERE topic = $1 AND seq IS NULL AND pos > $3 ORDER BY pos LIMIT $2`,
		topic, numberChunk, from)
	if err != nil {
		return nil, fmt.Errorf("outbox: unnumbered %s: %w", topic, err)
	}
	defer rows.Close()
	var pos []int64
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("outbox: unnumbered %s: %w", topic, err)
		}
		pos = append(pos, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox: unnumbered %s: %w", topic, err)
	}
	return pos, nil
}

// ensureStream creates topic's sequence row the first time the relay
// handles it; a new topic's numbers start at 1.
func (r *Relay) ensureStream(ctx context.Context, topic string) error {
	r.streamsMu.Lock()
	defer r.streamsMu.Unlock()
	if r.streams[topic] {
		return nil
	}
	if _, err := r.db.ExecContext(ctx,
		`INSERT INTO outbox_seq (topic, last) VALUES ($1, 0) ON CONFLICT (topic) DO NOTHING`, topic); err != nil {
		return fmt.Errorf("outbox: relay %s: %s: create stream: %w", r.service, topic, err)
	}
	r.streams[topic] = true
	return nil
}
