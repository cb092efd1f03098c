package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// MaxListed bounds the auditors' lists.
const MaxListed = 500

// Store holds the intake SQL; every statement runs on both engines.
type Store struct {
	db *db.DB
	// snapshot is Snapshot's statement on PostgreSQL.
	snapshot preparedStmt
}

// New returns the store over d.
func New(d *db.DB) *Store { return &Store{db: d} }

// Querier is satisfied by *sql.DB and *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Scanner is a row or a rows cursor.
type Scanner interface{ Scan(...any) error }

// ForUpdate locks the selected rows on PostgreSQL; SQLite transactions
// here take the database write lock at BEGIN, which serialises writers.
func (s *Store) ForUpdate() string {
	if s.db.Engine == db.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// forShare keeps a row from changing until the transaction ends.
func (s *Store) forShare() string {
	if s.db.Engine == db.Postgres {
		return " FOR SHARE"
	}
	return ""
}

// ReadTx runs fn in a read-only transaction over one consistent snapshot,
// so a wrap and its MACs are read as one (a rotation may rewrite both).
func (s *Store) ReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.db.Engine == db.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("intake: begin read: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// JoinCodes is the stored form of a code list.
func JoinCodes(v []string) string { return strings.Join(v, ",") }

func splitCodes(v string) []string {
	if v == "" {
		return []string{}
	}
	return strings.Split(v, ",")
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}
