package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
)

// Release control. Cell-key figures reach the commission only as releases:
// frozen snapshots of the catalogue tables of one period, stored and served
// unchanged. Perturbation is consistent, so two snapshots that differ by
// one case would point at that case's cells; a table is therefore published
// afresh only when at least K cases' records in it (policy
// release_min_changes) changed since every stored answer of an overlapping
// period. Otherwise the release carries the previous figures forward, or
// withholds a table that was never published for the period.

// ReleaseSpec asks for a release: a cell-key snapshot of Period, or a
// differential-privacy budget of Epsilon (no period).
type ReleaseSpec struct {
	Name    string  `json:"name"`
	Period  string  `json:"period,omitempty"`
	Epsilon float64 `json:"epsilon,omitempty"`
}

// Release is a named release: a cell-key snapshot of a period (Tables says
// what became of each catalogue table) or a differential-privacy budget
// that its tables spend.
type Release struct {
	Name string `json:"name"`
	// Method is the release's kind: cell_key (a snapshot of one period) or
	// differential_privacy (a budget its answers spend).
	Method    string    `json:"method"`
	Period    string    `json:"period,omitempty"`
	Epsilon   float64   `json:"epsilon,omitempty"`
	Spent     float64   `json:"spent,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// AsOf is when the data of a snapshot last changed before it was
	// taken; of a differential-privacy release, the latest of its answers'.
	AsOf *time.Time `json:"as_of,omitempty"`
	// Status: provisional when the period was still open at the release,
	// final when it had closed (StatusProvisional, StatusFinal). A
	// differential-privacy release is provisional while any of its answers
	// is of a period that was open when answered; one without answers has
	// neither status nor as-of time.
	Status string          `json:"status,omitempty"`
	Tables []ReleasedTable `json:"tables"`
}

// Release statuses.
const (
	StatusProvisional = "provisional"
	StatusFinal       = "final"
)

// Reasons for withholding a table.
const (
	// ReasonTooFewChanges: publishing would differ from a published answer
	// of an overlapping period by 1 to K-1 cases.
	ReasonTooFewChanges = "too_few_changes"
)

// What a snapshot release did with a catalogue table.
const (
	StatusNew            = "new"             // computed from the current aggregates
	StatusCarriedForward = "carried_forward" // the previous release's figures, unchanged
	StatusWithheld       = "withheld"        // never published for the period, and too few changes to publish now
)

// ReleasedTable is one catalogue table of a snapshot release.
type ReleasedTable struct {
	Table       string `json:"table"`
	Status      string `json:"status"`
	CarriedFrom string `json:"carried_from,omitempty"`
	// Reason and Detail say why a table is withheld (Detail: the
	// overlapping period whose published answer blocks it).
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Period and Epsilon of an answer of a differential-privacy release;
	// PeriodStatus says whether the period was open (provisional) or
	// closed (final) when it was answered, and AsOf when its data had last
	// changed.
	Period       string     `json:"period,omitempty"`
	Epsilon      float64    `json:"epsilon,omitempty"`
	PeriodStatus string     `json:"period_status,omitempty"`
	AsOf         *time.Time `json:"as_of,omitempty"`
}

// autoPrefix names the first release of a period, made by the first
// request for it; user release names may not start with it.
const autoPrefix = "auto-"

// CreateRelease implements Service.
func (s *Stats) CreateRelease(ctx context.Context, spec ReleaseSpec) (Release, error) {
	if !releaseNameRe.MatchString(spec.Name) || strings.HasPrefix(spec.Name, autoPrefix) {
		return Release{}, ErrBadRelease
	}
	switch {
	case spec.Period != "" && spec.Epsilon == 0:
		p, err := ParsePeriod(spec.Period)
		if err != nil {
			return Release{}, err
		}
		return s.createSnapshot(ctx, spec.Name, p)
	case spec.Period == "":
		return s.createBudget(ctx, spec.Name, spec.Epsilon)
	}
	return Release{}, ErrBadRelease
}

// createSnapshot stores a snapshot release of period, or refuses it with
// ErrReleaseTooSmall when no table may be published afresh.
func (s *Stats) createSnapshot(ctx context.Context, name, period string) (Release, error) {
	p, _ := auth.FromContext(ctx)
	r := Release{Name: name, Method: MethodCellKey, Period: period, CreatedAt: s.now()}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Serialised with the receiver: the snapshot and the data version
		// it is stamped with describe the same aggregates.
		if err := lockReceiver(ctx, s.db, tx); err != nil {
			return err
		}
		if err := releaseAbsent(ctx, tx, name); err != nil {
			return err
		}
		version, asOf, err := dataVersionAsOf(ctx, tx)
		if err != nil {
			return err
		}
		r.AsOf, r.Status = asOf, periodStatus(period, r.CreatedAt)
		prev, err := latestSnapshot(ctx, tx, period)
		if err != nil {
			return err
		}
		if err := insertSnapshot(ctx, tx, name, p.UserID, r.CreatedAt, period, asOf); err != nil {
			return err
		}
		fresh := 0
		for _, info := range s.tables {
			rt, err := s.snapshotTable(ctx, tx, r, prev, info, version)
			if err != nil {
				return err
			}
			if rt.Status == StatusNew {
				fresh++
			}
			r.Tables = append(r.Tables, rt)
		}
		if fresh == 0 {
			return ErrReleaseTooSmall
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "stats.release.create", "stats.release", name, event.Allowed))
	})
	if errors.Is(err, ErrReleaseTooSmall) {
		if aerr := s.auditOne(ctx, "stats.release.create", "stats.release", name, event.Denied); aerr != nil {
			return Release{}, aerr
		}
	}
	if err != nil {
		return Release{}, err
	}
	return r, nil
}

// snapshotTable stores one table of a snapshot release: afresh, carried
// forward from the previous release of the period, or not at all (the
// reason recorded).
func (s *Stats) snapshotTable(ctx context.Context, tx *sql.Tx, r Release, prev string, info TableInfo, version int64) (ReleasedTable, error) {
	out := ReleasedTable{Table: info.Name}
	period := r.Period
	blocker, err := s.tooFewChanges(ctx, tx, info.Name, period)
	if err != nil {
		return out, err
	}
	small := blocker != ""
	var (
		answer, origin string
		prevVersion    int64
	)
	if prev != "" {
		if answer, prevVersion, origin, err = previousAnswer(ctx, tx, prev, info.Name, period); err != nil {
			return out, err
		}
	}
	var t Table
	switch {
	case answer != "":
		n, err := changedSince(ctx, tx, info.Name, monthsOf(period), prevVersion)
		if err != nil {
			return out, err
		}
		if n > 0 && !small {
			break
		}
		if err := json.Unmarshal([]byte(answer), &t); err != nil {
			return out, fmt.Errorf("stats: previous release: %w", err)
		}
		if origin == "" {
			origin = prev
		}
		// The figures, and the time their data is as of, stay the first
		// release's; the release serving them and its status are this one's.
		t.Release, t.CarriedFrom, t.Status = r.Name, origin, r.Status
		out.Status, out.CarriedFrom = StatusCarriedForward, origin
		return out, storeAnswer(ctx, tx, r.Name, t, 0, prevVersion, origin, s.now())
	case small:
		out.Status, out.Reason, out.Detail = StatusWithheld, ReasonTooFewChanges, blocker
		return out, insertWithheld(ctx, tx, r.Name, info.Name, out.Reason, out.Detail)
	}
	if t, err = s.cellKeyTable(ctx, tx, info, period); err != nil {
		return out, err
	}
	t.Release, t.AsOf, t.Status = r.Name, r.AsOf, r.Status
	out.Status = StatusNew
	return out, storeAnswer(ctx, tx, r.Name, t, 0, version, "", s.now())
}

// tooFewChanges returns an overlapping period some stored answer of the
// table has, that differs from the current aggregates by between 1 and
// K-1 cases in the months they share: publishing now would let the two
// be compared to single those cases out. "" when there is none.
//
// The cases changed since an answer only shrink as answers get newer, so
// of a period's answers only the latest one some change came after can
// differ by the fewest cases: it alone is read, whatever the number of
// releases that stored answers before it.
func (s *Stats) tooFewChanges(ctx context.Context, q queryer, table, period string) (string, error) {
	k := s.policy.ReleaseMinChanges
	if k <= 1 {
		return "", nil
	}
	for _, p := range overlapping(period) {
		months := commonMonths(period, p)
		last, err := lastChange(ctx, q, table, months)
		if err != nil {
			return "", err
		}
		if last == 0 {
			continue
		}
		v, ok, err := answerBefore(ctx, q, table, p, last)
		if err != nil {
			return "", err
		}
		if !ok {
			continue
		}
		n, err := changedSince(ctx, q, table, months, v)
		if err != nil {
			return "", err
		}
		if n > 0 && n < k {
			return p, nil
		}
	}
	return "", nil
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// publishedTable returns a table as the latest snapshot release of period
// has it. A closed period never released gets its first release now (its
// data is final, and tooFewChanges guards the overlapping periods); an
// open one is not released by a read, which would freeze it: the answer is
// ErrNoRelease until a release is asked for or the period closes.
func (s *Stats) publishedTable(ctx context.Context, info TableInfo, period string) (Table, error) {
	for range 2 {
		name, err := latestSnapshot(ctx, s.db, period)
		if err != nil {
			return Table{}, err
		}
		if name != "" {
			return storedAnswer(ctx, s.db, name, info.Name, period)
		}
		if periodStatus(period, s.now()) != StatusFinal {
			return Table{}, ErrNoRelease
		}
		_, err = s.createSnapshot(ctx, autoPrefix+period, period)
		if errors.Is(err, ErrReleaseTooSmall) {
			return Table{}, ErrWithheld
		}
		if err != nil && !errors.Is(err, ErrReleaseExists) { // a concurrent first request made it
			return Table{}, err
		}
	}
	return Table{}, ErrWithheld
}
