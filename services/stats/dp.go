package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

var releaseNameRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// createBudget opens a differential-privacy release with a total budget.
func (s *Stats) createBudget(ctx context.Context, name string, epsilon float64) (Release, error) {
	if !(epsilon >= s.policy.DP.MinEpsilon) || epsilon > s.policy.DP.MaxReleaseEpsilon {
		return Release{}, ErrBadRelease
	}
	p, _ := auth.FromContext(ctx)
	r := Release{Name: name, Method: MethodDP, Epsilon: epsilon, CreatedAt: s.now(), Tables: []ReleasedTable{}}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := releaseAbsent(ctx, tx, name); err != nil {
			return err
		}
		if err := insertBudget(ctx, tx, name, epsilon, p.UserID, r.CreatedAt); err != nil {
			return err
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

// ReleaseTable implements Service. A snapshot release serves its stored
// table (period, when given, must be the release's); a differential-privacy
// release answers on first request of a table and period, at epsilon (0:
// the policy's epsilon_per_table), spending it from the release's budget
// and from the privacy ledger of the table's family, under release control
// too. Asked again, it returns the stored answer and spends nothing.
func (s *Stats) ReleaseTable(ctx context.Context, release, name, period string, epsilon float64) (Table, error) {
	info, ok := s.byName[name]
	if !ok {
		return Table{}, ErrUnknownTable
	}
	p := period
	if p != "" {
		var err error
		if p, err = ParsePeriod(period); err != nil {
			return Table{}, err
		}
	}
	// 0 asks for the policy's epsilon_per_table. Anything else must lie
	// between the policy's minimum and the monthly budget: the negations
	// refuse NaN too, and +Inf is above every budget.
	if epsilon != 0 && !(epsilon >= s.policy.DP.MinEpsilon && epsilon <= s.policy.DP.EpsilonPerMonth) {
		return Table{}, s.badEpsilon()
	}
	// The ledger counts whole millionths of epsilon; the noise is drawn at
	// exactly the epsilon spent.
	epsilon = fromMicro(toMicro(epsilon))
	var t Table
	objectID := release + "/" + name + "/" + p
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := lockReceiver(ctx, s.db, tx); err != nil {
			return err
		}
		lock := ""
		if s.db.Engine == db.Postgres {
			lock = " FOR UPDATE"
		}
		method, relPeriod, total, spent, err := releaseBudget(ctx, tx, release, lock)
		if err != nil {
			return err
		}
		if method == MethodCellKey {
			if p != "" && p != relPeriod {
				return ErrPeriodNotInRelease
			}
			if epsilon != 0 {
				return ErrBadEpsilon
			}
			objectID = release + "/" + name + "/" + relPeriod
			if t, err = storedAnswer(ctx, tx, release, name, relPeriod); err != nil {
				return err
			}
			return s.audit(ctx, tx, s.rec.New(ctx, "stats.release.read", "stats.release", objectID, event.Allowed))
		}
		if p == "" {
			return ErrBadPeriod
		}
		cost := epsilon
		if cost == 0 {
			cost = s.policy.DP.EpsilonPerTable
		}
		t, err = storedAnswer(ctx, tx, release, name, p)
		switch {
		case err == nil && epsilon != 0 && toMicro(t.Epsilon) != toMicro(epsilon):
			// Asked without an epsilon, the stored answer is the answer.
			return ErrEpsilonDiffers
		case err == nil:
			return s.audit(ctx, tx, s.rec.New(ctx, "stats.release.read", "stats.release", objectID, event.Allowed))
		case !errors.Is(err, ErrWithheld):
			return err
		}
		if toMicro(spent)+toMicro(cost) > toMicro(total) {
			return ErrBudgetSpent
		}
		blocker, err := s.tooFewChanges(ctx, tx, name, p)
		if err != nil {
			return err
		}
		if blocker != "" {
			return ErrReleaseTooSmall
		}
		if err := s.spend(ctx, tx, info.Family, p, cost); err != nil {
			return err
		}
		version, asOf, err := dataVersionAsOf(ctx, tx)
		if err != nil {
			return err
		}
		if t, err = s.dpTable(ctx, tx, info, p, cost); err != nil {
			return err
		}
		t.Release, t.AsOf, t.Status = release, asOf, periodStatus(p, s.now())
		if err := storeAnswer(ctx, tx, release, t, cost, version, "", s.now()); err != nil {
			return err
		}
		if err := spendBudget(ctx, tx, release, cost); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "stats.release.read", "stats.release", objectID, event.Allowed))
	})
	if errors.Is(err, ErrBudgetSpent) || errors.Is(err, ErrReleaseTooSmall) || errors.Is(err, ErrPrivacyBudgetSpent) {
		if aerr := s.auditOne(ctx, "stats.release.read", "stats.release", objectID, event.Denied); aerr != nil {
			return Table{}, aerr
		}
	}
	if err != nil {
		return Table{}, err
	}
	return t, nil
}

// dpTable answers the inner cells of a table (no margins, no medians) with
// two-sided geometric noise of scale sensitivity/epsilon, clamped at 0
// (post-processing, which costs no budget).
func (s *Stats) dpTable(ctx context.Context, q queryer, info TableInfo, period string, epsilon float64) (Table, error) {
	rows, _, err := readCells(ctx, q, info.Name, period, false)
	if err != nil {
		return Table{}, err
	}
	if info.Name == TableCasesByNationality {
		top, err := publishedNationalities(ctx, q, period)
		if err != nil {
			return Table{}, err
		}
		rows, info = groupNationalities(rows, top), withNationalities(info, top)
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
	if !(alpha > 0 && alpha < 1) {
		// exp rounds to 1 for epsilon/sensitivity below ~1e-16: no noise.
		return Table{}, errNoNoise
	}
	t := Table{Name: info.Name, Title: info.Title, Period: period, Method: MethodDP, Units: info.Units,
		Dimensions: dimNames(info), Epsilon: epsilon}
	for _, g := range grid(inner, present) {
		c := Cell{Unit: g[0], Dims: g[1:]}
		v := int64(0)
		if !structurallyEmpty(info.Name, c.Dims) {
			noise, err := s.geometric(alpha)
			if err != nil {
				return Table{}, err
			}
			v = max(0, stored[strings.Join(g, cellSep)]+noise)
		}
		c.Value = &v
		t.Cells = append(t.Cells, c)
	}
	return t, nil
}

// maxDraw bounds one geometric draw: far beyond any noise a permitted
// epsilon gives (at min_epsilon 0.01 and sensitivity 3, a draw past 1e6
// has probability below 1e-1400), and far inside int64.
const maxDraw = 1 << 40

// errNoNoise refuses a draw that would not be noise: alpha outside (0, 1)
// (exp(-epsilon/sensitivity) rounded to 1 draws 0 every time) or a draw
// that overflows. It is a fault, not a client's error: the epsilon floor
// keeps every permitted answer away from it.
var errNoNoise = errors.New("stats: differential privacy: the noise cannot be drawn at this epsilon")

// geometric draws two-sided geometric (discrete Laplace) noise:
// P(k) proportional to alpha^|k|, as the difference of two geometric draws.
func (s *Stats) geometric(alpha float64) (int64, error) {
	if !(alpha > 0 && alpha < 1) {
		return 0, errNoNoise
	}
	draw := func() (int64, error) {
		x := math.Floor(math.Log(s.uniform()) / math.Log(alpha))
		if !(x >= 0 && x <= maxDraw) {
			return 0, errNoNoise
		}
		return int64(x), nil
	}
	a, err := draw()
	if err != nil {
		return 0, err
	}
	b, err := draw()
	if err != nil {
		return 0, err
	}
	return a - b, nil
}

// badEpsilon is the refusal of an answer's epsilon, naming the bounds.
func (s *Stats) badEpsilon() error {
	return kit.Validation(fmt.Sprintf("epsilon: a number from dp.min_epsilon (%s) to the privacy ledger's monthly budget (%s), and only for a differential-privacy release",
		fmtEpsilon(s.policy.DP.MinEpsilon), fmtEpsilon(s.policy.DP.EpsilonPerMonth)))
}
