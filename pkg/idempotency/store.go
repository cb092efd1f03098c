package idempotency

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Execer is what Record writes through: the write's transaction (or a
// querier over it).
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// record is one stored outcome.
type record struct {
	bodyMAC   string
	outcome   Outcome
	expiresAt int64
}

func (s *Store) insert(ctx context.Context, tx Execer, p *pending, o Outcome) error {
	now := s.now()
	_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (key_mac, operation, body_mac, status, code, ids, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.keyMAC, p.op, p.bodyMAC, o.Status, o.Code, strings.Join(o.IDs, ","), now.Unix(), now.Add(s.ttl).Unix())
	if err != nil {
		return fmt.Errorf("idempotency: record %s: %w", p.op, err)
	}
	return nil
}

func (s *Store) find(ctx context.Context, keyMAC string) (record, bool, error) {
	var (
		r   record
		ids string
	)
	err := s.db.QueryRowContext(ctx, `SELECT body_mac, status, code, ids, expires_at FROM idempotency_keys WHERE key_mac = $1`, keyMAC).
		Scan(&r.bodyMAC, &r.outcome.Status, &r.outcome.Code, &ids, &r.expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, fmt.Errorf("idempotency: look up: %w", err)
	}
	if ids != "" {
		r.outcome.IDs = strings.Split(ids, ",")
	}
	return r, true, nil
}

// forget deletes keyMAC's record if it has expired.
func (s *Store) forget(ctx context.Context, keyMAC string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE key_mac = $1 AND expires_at <= $2`, keyMAC, s.now().Unix()); err != nil {
		return fmt.Errorf("idempotency: forget: %w", err)
	}
	return nil
}

// Sweep deletes the expired records and returns how many.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= $1`, s.now().Unix())
	if err != nil {
		return 0, fmt.Errorf("idempotency: sweep: %w", err)
	}
	return res.RowsAffected()
}
