package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// queryer is a *sql.DB or a *sql.Tx (or a *db.DB).
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store holds the directory's SQL; both engines take the same statements.
// Every write drops the routing snapshot (Routable).
type Store struct {
	db      queryer
	dir     *dirCache // nil: no caching
	changes *Changes  // nil: not shared
}

// NewStore returns the directory's store over db, keeping a snapshot of
// the routable providers for ttl (none when ttl is 0).
func NewStore(db queryer, ttl time.Duration) *Store {
	st := &Store{db: db}
	if ttl > 0 {
		st.dir = newDirCache(ttl)
	}
	return st
}

// Share makes the store's writes drop every snapshot that follows c (on
// PostgreSQL, every replica's), and its snapshot follow c.
func (st *Store) Share(c *Changes) {
	st.changes = c
	if st.dir != nil {
		c.add(st.dir)
	}
}

// changed is called by every write, in its transaction: on PostgreSQL it
// notifies the replicas (at commit); the returned function drops this
// process's snapshots once the write is done.
func (st *Store) changed(ctx context.Context, tx *sql.Tx) (func(), error) {
	done := func() {
		st.dir.invalidate()
		if st.changes != nil {
			st.changes.Changed()
		}
	}
	if st.changes.notifies() {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, Channel); err != nil {
			return done, fmt.Errorf("directory: notify: %w", err)
		}
	}
	return done, nil
}

// EncodeList is the stored form of a list of codes.
func EncodeList(xs []string) string {
	if xs == nil {
		xs = []string{}
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// DecodeList reads a list EncodeList stored.
func DecodeList(s string) ([]string, error) {
	var xs []string
	if err := json.Unmarshal([]byte(s), &xs); err != nil {
		return nil, fmt.Errorf("directory: stored list: %w", err)
	}
	return xs, nil
}

const providerColumns = `org_id, name, kind, region, regions, genders, accepts_children, accepts_adults,
	accepts_dependants, languages, availability, hours, active, webhook_url, median_response_s, updated_at`

func scanProvider(sc interface{ Scan(...any) error }) (Provider, error) {
	var (
		p                    Provider
		regions, gens, langs string
		median               sql.NullInt64
	)
	err := sc.Scan(&p.OrgID, &p.Name, &p.Kind, &p.Region, &regions, &gens, &p.AcceptsChildren, &p.AcceptsAdults,
		&p.AcceptsDependants, &langs, &p.Availability, &p.Hours, &p.Active, &p.WebhookURL, &median, &p.UpdatedAt)
	if err != nil {
		return p, err
	}
	if median.Valid {
		p.MedianResponseSeconds = &median.Int64
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	if p.Regions, err = DecodeList(regions); err != nil {
		return p, err
	}
	if p.Genders, err = DecodeList(gens); err != nil {
		return p, err
	}
	p.Languages, err = DecodeList(langs)
	return p, err
}

func (st *Store) Provider(ctx context.Context, q queryer, orgID string) (Provider, error) {
	p, err := scanProvider(q.QueryRowContext(ctx, `SELECT `+providerColumns+` FROM providers WHERE org_id = $1`, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return Provider{}, kit.ErrNotFound
	}
	if err != nil {
		return Provider{}, fmt.Errorf("directory: provider %s: %w", orgID, err)
	}
	rows, err := q.QueryContext(ctx,
		`SELECT service, places, used FROM provider_services WHERE org_id = $1 ORDER BY service`, orgID)
	if err != nil {
		return Provider{}, fmt.Errorf("directory: provider %s services: %w", orgID, err)
	}
	defer rows.Close()
	p.Services = []ProviderService{}
	for rows.Next() {
		var s ProviderService
		if err := rows.Scan(&s.Service, &s.Places, &s.Used); err != nil {
			return Provider{}, fmt.Errorf("directory: provider %s services: %w", orgID, err)
		}
		p.Services = append(p.Services, s)
	}
	return p, rows.Err()
}

// Providers returns the directory, or when service is set the providers
// offering it (with that service only), ordered by organisation id.
func (st *Store) Providers(ctx context.Context, q queryer, service string) ([]Provider, error) {
	pq := `SELECT ` + providerColumns + ` FROM providers ORDER BY org_id`
	sq := `SELECT org_id, service, places, used FROM provider_services ORDER BY org_id, service`
	var args []any
	if service != "" {
		pq = `SELECT ` + providerColumns + ` FROM providers WHERE org_id IN
			(SELECT org_id FROM provider_services WHERE service = $1) ORDER BY org_id`
		sq = `SELECT org_id, service, places, used FROM provider_services WHERE service = $1 ORDER BY org_id`
		args = []any{service}
	}
	rows, err := q.QueryContext(ctx, pq, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: providers: %w", err)
	}
	var out []Provider
	idx := map[string]int{}
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("directory: providers: %w", err)
		}
		p.Services = []ProviderService{}
		idx[p.OrgID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("directory: providers: %w", err)
	}
	rows, err = q.QueryContext(ctx, sq, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: provider services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			org string
			s   ProviderService
		)
		if err := rows.Scan(&org, &s.Service, &s.Places, &s.Used); err != nil {
			return nil, fmt.Errorf("directory: provider services: %w", err)
		}
		if i, ok := idx[org]; ok {
			out[i].Services = append(out[i].Services, s)
		}
	}
	return out, rows.Err()
}

// Put writes an entry and its services' places; places already
// taken stay taken, and a service dropped while in use keeps its row with
// no places so that its reservations can be freed.
func (st *Store) Put(ctx context.Context, tx *sql.Tx, orgID, kind string, in ProviderInput, now time.Time) error {
	done, err := st.changed(ctx, tx)
	defer done()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO providers (`+providerColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15)
		ON CONFLICT (org_id) DO UPDATE SET name = $2, kind = $3, region = $4, regions = $5, genders = $6,
			accepts_children = $7, accepts_adults = $8, accepts_dependants = $9, languages = $10,
			availability = $11, hours = $12, active = $13, webhook_url = $14, updated_at = $15`,
		orgID, in.Name, kind, in.Region, EncodeList(in.Regions), EncodeList(in.Genders), in.AcceptsChildren, in.AcceptsAdults,
		in.AcceptsDependants, EncodeList(in.Languages), in.Availability, in.Hours, in.Active, in.WebhookURL, now)
	if err != nil {
		return fmt.Errorf("directory: put provider %s: %w", orgID, err)
	}
	keep := make([]string, 0, len(in.Services))
	for _, s := range in.Services {
		keep = append(keep, s.Service)
		if _, err := tx.ExecContext(ctx, `INSERT INTO provider_services (org_id, service, places, used)
			VALUES ($1, $2, $3, 0) ON CONFLICT (org_id, service) DO UPDATE SET places = $3`,
			orgID, s.Service, s.Places); err != nil {
			return fmt.Errorf("directory: put provider %s service: %w", orgID, err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT service, used FROM provider_services WHERE org_id = $1`, orgID)
	if err != nil {
		return fmt.Errorf("directory: put provider %s: %w", orgID, err)
	}
	type old struct {
		service string
		used    int
	}
	var drop []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.service, &o.used); err != nil {
			rows.Close()
			return fmt.Errorf("directory: put provider %s: %w", orgID, err)
		}
		if !slices.Contains(keep, o.service) {
			drop = append(drop, o)
		}
	}
	rows.Close()
	for _, o := range drop {
		q := `DELETE FROM provider_services WHERE org_id = $1 AND service = $2`
		if o.used > 0 {
			q = `UPDATE provider_services SET places = 0 WHERE org_id = $1 AND service = $2`
		}
		if _, err := tx.ExecContext(ctx, q, orgID, o.service); err != nil {
			return fmt.Errorf("directory: put provider %s: %w", orgID, err)
		}
	}
	return nil
}

func (st *Store) SetPlaces(ctx context.Context, tx *sql.Tx, orgID, service string, places int) (int64, error) {
	done, err := st.changed(ctx, tx)
	defer done()
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE provider_services SET places = $3 WHERE org_id = $1 AND service = $2`,
		orgID, service, places)
	if err != nil {
		return 0, fmt.Errorf("directory: capacity %s: %w", orgID, err)
	}
	return res.RowsAffected()
}

// Reserve takes n places atomically: never more than the capacity,
// whatever the concurrency, since the check and the increment are one
// statement under the row lock.
func (st *Store) Reserve(ctx context.Context, tx *sql.Tx, orgID, service string, n int) (bool, error) {
	done, err := st.changed(ctx, tx)
	defer done()
	if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE provider_services SET used = used + $3
		WHERE org_id = $1 AND service = $2 AND used + $3 <= places`, orgID, service, n)
	if err != nil {
		return false, fmt.Errorf("directory: reserve: %w", err)
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

func (st *Store) Release(ctx context.Context, tx *sql.Tx, orgID, service string, n int) error {
	if n == 0 {
		return nil
	}
	done, err := st.changed(ctx, tx)
	defer done()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE provider_services SET used = CASE WHEN used > $3 THEN used - $3 ELSE 0 END
		WHERE org_id = $1 AND service = $2`, orgID, service, n)
	if err != nil {
		return fmt.Errorf("directory: release: %w", err)
	}
	return nil
}

// UpdateMedian recomputes a provider's median time to answer its last 50
// offers (an expired offer counts as answered at its deadline).
func (st *Store) UpdateMedian(ctx context.Context, tx *sql.Tx, orgID string) error {
	done, err := st.changed(ctx, tx)
	defer done()
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT offered_at, responded_at FROM referral_candidates
		WHERE org_id = $1 AND responded_at IS NOT NULL AND offered_at IS NOT NULL
		ORDER BY responded_at DESC LIMIT 50`, orgID)
	if err != nil {
		return fmt.Errorf("directory: median: %w", err)
	}
	var ds []int64
	for rows.Next() {
		var a, b time.Time
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return fmt.Errorf("directory: median: %w", err)
		}
		ds = append(ds, int64(b.Sub(a).Seconds()))
	}
	rows.Close()
	if len(ds) == 0 {
		return nil
	}
	slices.Sort(ds)
	_, err = tx.ExecContext(ctx, `UPDATE providers SET median_response_s = $2 WHERE org_id = $1`, orgID, ds[len(ds)/2])
	if err != nil {
		return fmt.Errorf("directory: median: %w", err)
	}
	return nil
}
