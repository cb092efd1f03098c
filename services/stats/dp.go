package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
)

// Release is a differential-privacy release: a named total budget that
// its tables spend.
type Release struct {
	Name      string    `json:"name"`
	Epsilon   float64   `json:"epsilon"`
	Spent     float64   `json:"spent"`
	CreatedAt time.Time `json:"created_at"`
}

var releaseNameRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// CreateRelease implements Service.
func (s *Stats) CreateRelease(ctx context.Context, name string, epsilon float64) (Release, error) {
	if !releaseNameRe.MatchString(name) || !(epsilon > 0) || epsilon > s.policy.DP.MaxReleaseEpsilon {
		return Release{}, ErrBadRelease
	}
	p, _ := auth.FromContext(ctx)
	r := Release{Name: name, Epsilon: epsilon, CreatedAt: s.now()}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var exists int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM releases WHERE name = $1`, name).Scan(&exists)
		if err == nil {
			return ErrReleaseExists
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("stats: release: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO releases (name, epsilon, spent, created_by, created_at)
			VALUES ($1, $2, 0, $3, $4)`, name, epsilon, p.UserID, r.CreatedAt); err != nil {
			return fmt.Errorf("stats: release: %w", err)
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "stats.release.create", "stats.release", name, event.Allowed))
	})
	return r, err
}

// dpSensitivity is the L1 sensitivity of a table's inner cells to one
// record: its inner cells per unit, and for person counts up to two more
// (a linked person may move from one cell to another).
func dpSensitivity(info TableInfo) float64 {
	if slices.Contains(info.Units, unitPersons) {
		return float64(info.Sensitivity * 3)
	}
	return float64(info.Sensitivity * len(info.Units))
}

// ReleaseTable implements Service.
func (s *Stats) ReleaseTable(ctx context.Context, release, name, period string) (Table, error) {
	info, ok := s.byName[name]
	if !ok {
		return Table{}, ErrUnknownTable
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return Table{}, err
	}
	var t Table
	objectID := release + "/" + name + "/" + p
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		lock := ""
		if s.db.Engine == db.Postgres {
			lock = " FOR UPDATE"
		}
		var total, spent float64
		err := tx.QueryRowContext(ctx, `SELECT epsilon, spent FROM releases WHERE name = $1`+lock, release).Scan(&total, &spent)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknownRelease
		}
		if err != nil {
			return fmt.Errorf("stats: release: %w", err)
		}
		var answer string
		err = tx.QueryRowContext(ctx, `SELECT answer FROM release_tables WHERE release = $1 AND tbl = $2 AND period = $3`,
			release, name, p).Scan(&answer)
		switch {
		case err == nil:
			if err := json.Unmarshal([]byte(answer), &t); err != nil {
				return fmt.Errorf("stats: cached answer: %w", err)
			}
			return s.audit(ctx, tx, s.rec.New(ctx, "stats.release.read", "stats.release", objectID, event.Allowed))
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("stats: cached answer: %w", err)
		}
		cost := s.policy.DP.EpsilonPerTable
		if spent+cost > total+1e-9 {
			return ErrBudgetSpent
		}
		if t, err = s.dpTable(ctx, tx, info, p, cost); err != nil {
			return err
		}
		t.Release = release
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("stats: encode answer: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO release_tables (release, tbl, period, epsilon, answer, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, release, name, p, cost, string(b), s.now()); err != nil {
			return fmt.Errorf("stats: store answer: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE releases SET spent = spent + $2 WHERE name = $1`, release, cost); err != nil {
			return fmt.Errorf("stats: spend budget: %w", err)
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "stats.release.read", "stats.release", objectID, event.Allowed))
	})
	if errors.Is(err, ErrBudgetSpent) {
		if aerr := s.auditOne(ctx, "stats.release.read", "stats.release", objectID, event.Denied); aerr != nil {
			return Table{}, aerr
		}
	}
	return t, err
}

// dpTable answers the inner cells of a table (no margins, no medians) with
// two-sided geometric noise of scale sensitivity/epsilon, clamped at 0
// (post-processing, which costs no budget).
func (s *Stats) dpTable(ctx context.Context, q queryer, info TableInfo, period string, epsilon float64) (Table, error) {
	rows, _, err := readCells(ctx, q, info.Name, period, false)
	if err != nil {
		return Table{}, err
	}
	stored := map[string]int64{}
	present := map[string]bool{}
	for _, r := range rows {
		stored[r.Cell] = r.N
		present[r.Cell] = true
	}
	inner := info
	inner.Dimensions = slices.Clone(info.Dimensions)
	for i := range inner.Dimensions {
		inner.Dimensions[i].Margin = false
	}
	alpha := math.Exp(-epsilon / dpSensitivity(info))
	t := Table{Name: info.Name, Title: info.Title, Period: period, Method: MethodDP, Units: info.Units,
		Dimensions: dimNames(info), Epsilon: epsilon}
	for _, g := range grid(inner, present) {
		c := Cell{Unit: g[0], Dims: g[1:]}
		v := int64(0)
		if !structurallyEmpty(info.Name, c.Dims) {
			v = max(0, stored[strings.Join(g, cellSep)]+s.geometric(alpha))
		}
		c.Value = &v
		t.Cells = append(t.Cells, c)
	}
	return t, nil
}

// geometric draws two-sided geometric (discrete Laplace) noise:
// P(k) proportional to alpha^|k|, as the difference of two geometric draws.
func (s *Stats) geometric(alpha float64) int64 {
	draw := func() int64 { return int64(math.Floor(math.Log(s.uniform()) / math.Log(alpha))) }
	return draw() - draw()
}
