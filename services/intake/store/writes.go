package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// Writes is the querier a registration writes through: on PostgreSQL it
// holds back plain INSERT ... VALUES statements and sends them with the
// next statement that needs an answer, as data-modifying WITH items of
// it. The writes of a group of registrations (see intake's writeRegistrations) then
// take one round trip instead of eight. Held-back statements answer no row
// count (errHeld): the callers that write through it do not read one.
type Writes interface {
	Querier
	// Final is for the transaction's last statement: it goes out with
	// everything held back and answers its own row count.
	Final() outbox.Execer
	// Flush sends what is held back.
	Flush(ctx context.Context) error
}

// WritesFor returns the Writes of tx: deferring on PostgreSQL, direct on
// SQLite (which is in process: a statement costs no round trip).
func (s *Store) WritesFor(tx *sql.Tx) Writes {
	if s.db.Engine == db.Postgres {
		return &DeferredWrites{tx: tx}
	}
	return directWrites{tx}
}

type directWrites struct{ *sql.Tx }

func (w directWrites) Final() outbox.Execer        { return w.Tx }
func (w directWrites) Flush(context.Context) error { return nil }

var errHeld = errors.New("intake: statement held back: no row count yet")

type heldResult struct{}

func (heldResult) LastInsertId() (int64, error) { return 0, errHeld }
func (heldResult) RowsAffected() (int64, error) { return 0, errHeld }

// DeferredWrites holds back plain inserts until a statement needs an
// answer (PostgreSQL).
type DeferredWrites struct {
	tx   *sql.Tx
	held []string // renumbered to follow each other's arguments
	args []any
	err  error // a failed send: the transaction is aborted
}

func (w *DeferredWrites) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if w.err != nil {
		return nil, w.err
	}
	if holdable(query) {
		w.held = append(w.held, renumber(query, len(w.args)))
		w.args = append(w.args, args...)
		return heldResult{}, nil
	}
	return w.send(ctx, query, args)
}

// send runs main with everything held back as WITH items before it; the
// result is main's.
func (w *DeferredWrites) send(ctx context.Context, main string, args []any) (sql.Result, error) {
	main = renumber(main, len(w.args))
	w.args = append(w.args, args...)
	return w.sendAll(ctx, main)
}

func (w *DeferredWrites) Flush(ctx context.Context) error {
	if w.err != nil || len(w.held) == 0 {
		return w.err
	}
	last := len(w.held) - 1
	main := w.held[last]
	w.held = w.held[:last]
	_, err := w.sendAll(ctx, main)
	return err
}

// sendAll sends main, already numbered to follow the held statements,
// after them as WITH items, with every argument.
func (w *DeferredWrites) sendAll(ctx context.Context, main string) (sql.Result, error) {
	held, args := w.held, w.args
	w.held, w.args = nil, nil
	var q strings.Builder
	for i, h := range held {
		if i == 0 {
			q.WriteString("WITH ")
		} else {
			q.WriteString(", ")
		}
		q.WriteString("held" + strconv.Itoa(i) + " AS (" + h + ")\n")
	}
	q.WriteString(main)
	res, err := w.tx.ExecContext(ctx, q.String(), args...)
	if err != nil {
		w.err = err
	}
	return res, err
}

func (w *DeferredWrites) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := w.Flush(ctx); err != nil {
		return nil, err
	}
	return w.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext sends what is held back first; if that fails, the
// transaction is aborted and the query fails with it (Flush and every
// later statement report the first error).
func (w *DeferredWrites) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	_ = w.Flush(ctx)
	return w.tx.QueryRowContext(ctx, query, args...)
}

func (w *DeferredWrites) Final() outbox.Execer { return finalWrites{w} }

type finalWrites struct{ w *DeferredWrites }

func (f finalWrites) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if f.w.err != nil {
		return nil, f.w.err
	}
	return f.w.send(ctx, query, args)
}

// holdable reports a plain multi-row INSERT ... VALUES, with or without
// ON CONFLICT: it reads nothing, so sending it later changes nothing for
// the statements in between.
func holdable(query string) bool {
	q := strings.TrimSpace(query)
	return strings.HasPrefix(q, "INSERT INTO ") && strings.Contains(q, " VALUES") &&
		!strings.Contains(q, "SELECT") && !strings.Contains(q, "RETURNING")
}

// renumber shifts the $n placeholders of query (outside quotes) by offset.
func renumber(query string, offset int) string {
	if offset == 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + len(query)/8)
	quoted := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c == '\'' {
			quoted = !quoted
		}
		if c == '$' && !quoted && i+1 < len(query) && isDigit(query[i+1]) {
			j := i + 1
			for j < len(query) && isDigit(query[j]) {
				j++
			}
			n, _ := strconv.Atoi(query[i+1 : j])
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n + offset))
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Tx is the transaction w writes in, for a statement that must not wait
// for what w holds back (Flush it first).
func (w *DeferredWrites) Tx() *sql.Tx { return w.tx }
