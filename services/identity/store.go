package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// store holds the identity SQL; every statement works on both engines.
type store struct {
	db *db.DB
}

// querier is satisfied by *sql.DB and *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// userRow is a users row with its credentials.
type userRow struct {
	User
	PasswordHash string
	TOTPSecret   []byte
	TOTPLastStep int64
	MAC          string
	// TOTPPending is a sealed replacement secret (re-enrolment) and
	// TOTPPendingUntil the end of its window, or of a first enrolment's.
	TOTPPending      []byte
	TOTPPendingUntil time.Time
	TOTPFailures     int
	TOTPFailedAt     time.Time
}

var errDuplicate = errors.New("identity: duplicate key")

func (s *store) insertOrg(ctx context.Context, q querier, o Org) error {
	_, err := q.ExecContext(ctx,
		`INSERT INTO orgs (id, name, kind, region, created_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.Name, o.Kind, nullString(o.Region), o.CreatedAt)
	if err != nil {
		return fmt.Errorf("identity: insert org: %w", err)
	}
	return nil
}

const orgColumns = `id, name, kind, region, created_at`

func scanOrg(sc interface{ Scan(...any) error }) (Org, error) {
	var (
		o      Org
		region sql.NullString
	)
	if err := sc.Scan(&o.ID, &o.Name, &o.Kind, &region, &o.CreatedAt); err != nil {
		return Org{}, err
	}
	o.Region = region.String
	o.CreatedAt = o.CreatedAt.UTC()
	return o, nil
}

func (s *store) org(ctx context.Context, q querier, id string) (Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, ErrNotFound
	}
	if err != nil {
		return Org{}, fmt.Errorf("identity: org: %w", err)
	}
	return o, nil
}

// orgs lists organisations, only orgID's when it is not empty.
func (s *store) orgs(ctx context.Context, orgID string) ([]Org, error) {
	query, args := `SELECT `+orgColumns+` FROM orgs ORDER BY name, id`, []any{}
	if orgID != "" {
		query, args = `SELECT `+orgColumns+` FROM orgs WHERE id = $1 ORDER BY name, id`, []any{orgID}
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("identity: list orgs: %w", err)
	}
	defer rows.Close()
	out := []Org{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("identity: list orgs: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

const userColumns = `id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at,
	created_by, totp_state, totp_pending, totp_pending_until, totp_failures, totp_failed_at`

func scanUser(sc interface{ Scan(...any) error }) (userRow, error) {
	var (
		u            userRow
		roles        string
		createdBy    sql.NullString
		pendingUntil sql.NullTime
		failedAt     sql.NullTime
	)
	err := sc.Scan(&u.ID, &u.Email, &u.DisplayName, &u.OrgID, &roles, &u.Status,
		&u.PasswordHash, &u.TOTPSecret, &u.TOTPLastStep, &u.MAC, &u.CreatedAt,
		&createdBy, &u.SecondFactor, &u.TOTPPending, &pendingUntil, &u.TOTPFailures, &failedAt)
	if err != nil {
		return userRow{}, err
	}
	u.Roles = strings.Split(roles, ",")
	u.CreatedAt = u.CreatedAt.UTC()
	u.CreatedBy = createdBy.String
	if pendingUntil.Valid {
		u.TOTPPendingUntil = pendingUntil.Time.UTC()
	}
	if failedAt.Valid {
		u.TOTPFailedAt = failedAt.Time.UTC()
	}
	return u, nil
}

func (s *store) insertUser(ctx context.Context, q querier, u userRow, now time.Time) error {
	_, err := q.ExecContext(ctx,
		`INSERT INTO users (`+userColumns+`, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $11)`,
		u.ID, u.Email, u.DisplayName, u.OrgID, strings.Join(u.Roles, ","), u.Status,
		u.PasswordHash, u.TOTPSecret, u.TOTPLastStep, u.MAC, now,
		nullString(u.CreatedBy), u.SecondFactor, u.TOTPPending, nullTime(u.TOTPPendingUntil), u.TOTPFailures, nullTime(u.TOTPFailedAt))
	if db.IsUniqueViolation(err) {
		return errDuplicate
	}
	if err != nil {
		return fmt.Errorf("identity: insert user: %w", err)
	}
	return nil
}

func (s *store) userBy(ctx context.Context, q querier, column, value string) (userRow, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+column+` = $1`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return userRow{}, ErrNotFound
	}
	if err != nil {
		return userRow{}, fmt.Errorf("identity: user: %w", err)
	}
	return u, nil
}

func (s *store) userByID(ctx context.Context, q querier, id string) (userRow, error) {
	return s.userBy(ctx, q, "id", id)
}

func (s *store) userByEmail(ctx context.Context, q querier, email string) (userRow, error) {
	return s.userBy(ctx, q, "email", email)
}

// users lists users, only orgID's when it is not empty.
func (s *store) users(ctx context.Context, orgID string) ([]userRow, error) {
	query, args := `SELECT `+userColumns+` FROM users ORDER BY email`, []any{}
	if orgID != "" {
		query, args = `SELECT `+userColumns+` FROM users WHERE org_id = $1 ORDER BY email`, []any{orgID}
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("identity: list users: %w", err)
	}
	defer rows.Close()
	out := []userRow{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("identity: list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *store) setStatus(ctx context.Context, q querier, id, status, mac string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET status = $1, mac = $2, updated_at = $3 WHERE id = $4`, status, mac, now, id)
	if err != nil {
		return fmt.Errorf("identity: set status: %w", err)
	}
	return nil
}

// useTOTPStep records step as the user's last accepted step, reporting
// false when it (or a later one) was already used.
func (s *store) useTOTPStep(ctx context.Context, q querier, id string, step int64) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
	if err != nil {
		return false, fmt.Errorf("identity: totp step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

type sessionRow struct {
	ID        string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	Revoked   bool
}

func (s *store) insertSession(ctx context.Context, q querier, ss sessionRow) error {
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		ss.ID, ss.UserID, ss.CreatedAt, ss.ExpiresAt)
	if err != nil {
		return fmt.Errorf("identity: insert session: %w", err)
	}
	return nil
}

func (s *store) session(ctx context.Context, q querier, id string) (sessionRow, error) {
	var (
		ss      sessionRow
		revoked sql.NullTime
	)
	err := q.QueryRowContext(ctx, `SELECT id, user_id, created_at, expires_at, revoked_at FROM sessions WHERE id = $1`, id).
		Scan(&ss.ID, &ss.UserID, &ss.CreatedAt, &ss.ExpiresAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return sessionRow{}, ErrNotFound
	}
	if err != nil {
		return sessionRow{}, fmt.Errorf("identity: session: %w", err)
	}
	ss.Revoked = revoked.Valid
	return ss, nil
}

func (s *store) insertRefresh(ctx context.Context, q querier, hash, sessionID string, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES ($1, $2, $3)`, hash, sessionID, now)
	if err != nil {
		return fmt.Errorf("identity: insert refresh token: %w", err)
	}
	return nil
}

// useRefresh marks a refresh token used. It returns the token's session and
// whether this call was the first use; ErrNotFound for an unknown token.
func (s *store) useRefresh(ctx context.Context, q querier, hash string, now time.Time) (sessionID string, first bool, err error) {
	if err := q.QueryRowContext(ctx, `SELECT session_id FROM refresh_tokens WHERE hash = $1`, hash).Scan(&sessionID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, ErrNotFound
		}
		return "", false, fmt.Errorf("identity: refresh token: %w", err)
	}
	res, err := q.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`, now, hash)
	if err != nil {
		return "", false, fmt.Errorf("identity: use refresh token: %w", err)
	}
	n, err := res.RowsAffected()
	return sessionID, n == 1, err
}

// revokeSessions revokes the given sessions (those not yet revoked) and
// numbers each revocation for the feed. It returns the ids it revoked.
func (s *store) revokeSessions(ctx context.Context, q querier, where string, arg any, now time.Time) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM sessions WHERE revoked_at IS NULL AND `+where, arg)
	if err != nil {
		return nil, fmt.Errorf("identity: revoke: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("identity: revoke: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity: revoke: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var last int64
	if err := q.QueryRowContext(ctx, `UPDATE revocation_seq SET last = last + $1 WHERE id = 1 RETURNING last`, len(ids)).Scan(&last); err != nil {
		return nil, fmt.Errorf("identity: revoke: sequence: %w", err)
	}
	first := last - int64(len(ids)) + 1
	for i, id := range ids {
		if _, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE id = $2`, now, id); err != nil {
			return nil, fmt.Errorf("identity: revoke: %w", err)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO revocations (seq, session_id, revoked_at) VALUES ($1, $2, $3)`,
			first+int64(i), id, now); err != nil {
			return nil, fmt.Errorf("identity: revoke: %w", err)
		}
	}
	return ids, nil
}

func (s *store) revokeSession(ctx context.Context, q querier, id string, now time.Time) ([]string, error) {
	return s.revokeSessions(ctx, q, `id = $1`, id, now)
}

func (s *store) revokeUserSessions(ctx context.Context, q querier, userID string, now time.Time) ([]string, error) {
	return s.revokeSessions(ctx, q, `user_id = $1`, userID, now)
}

const revocationPage = 1000

// revocations returns sessions revoked after cursor since and at or after
// notBefore, and the next cursor.
func (s *store) revocations(ctx context.Context, since int64, notBefore time.Time) ([]string, int64, error) {
	// Read the committed high-water mark first: the sequence follows commit
	// order, so every revocation up to it is visible to the next query.
	var high int64
	if err := s.db.QueryRowContext(ctx, `SELECT last FROM revocation_seq WHERE id = 1`).Scan(&high); err != nil {
		return nil, 0, fmt.Errorf("identity: revocations: %w", err)
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, session_id FROM revocations WHERE seq > $1 AND seq <= $2 AND revoked_at >= $3 ORDER BY seq LIMIT `+fmt.Sprint(revocationPage),
		since, high, notBefore)
	if err != nil {
		return nil, 0, fmt.Errorf("identity: revocations: %w", err)
	}
	defer rows.Close()
	ids, next := []string{}, max(since, high)
	for rows.Next() {
		var (
			seq int64
			id  string
		)
		if err := rows.Scan(&seq, &id); err != nil {
			return nil, 0, fmt.Errorf("identity: revocations: %w", err)
		}
		ids = append(ids, id)
		if len(ids) == revocationPage {
			next = seq
		}
	}
	return ids, next, rows.Err()
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }
