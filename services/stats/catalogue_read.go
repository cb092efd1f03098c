package stats

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
)

// maxReleasesListed bounds the release list (newest first).
const maxReleasesListed = 1000

// Releases implements Service: every release, newest first, or those of
// one period (snapshots of it, and differential-privacy releases that
// answered a table for it), with what became of each table.
func (s *Stats) Releases(ctx context.Context, period string) ([]Release, error) {
	if period != "" {
		if _, err := ParsePeriod(period); err != nil {
			return nil, err
		}
	}
	var out []Release
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = listReleases(ctx, tx, period); err != nil {
			return err
		}
		for i := range out {
			if out[i].Method == MethodCellKey {
				out[i].Status = periodStatus(out[i].Period, out[i].CreatedAt)
			}
		}
		for i := range out {
			if out[i].Tables, err = s.releasedTables(ctx, tx, out[i]); err != nil {
				return err
			}
			if out[i].Method == MethodDP {
				out[i].Status, out[i].AsOf = answersStatus(out[i].Tables)
			}
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "stats.releases.read", "stats.release", period, event.Allowed))
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Release{}
	}
	return out, nil
}

// releasedTables says what a release did with each table: a snapshot's
// every catalogue table (new, carried forward or withheld, with the
// reason), a differential-privacy release's answers.
func (s *Stats) releasedTables(ctx context.Context, q queryer, r Release) ([]ReleasedTable, error) {
	rows, err := releaseTableRows(ctx, q, r.Name, r.Method == MethodDP)
	if err != nil {
		return nil, err
	}
	got := map[string]ReleasedTable{}
	var dp []ReleasedTable
	for _, row := range rows {
		t := row.ReleasedTable
		t.Status = StatusNew
		if t.CarriedFrom != "" {
			t.Status = StatusCarriedForward
		}
		if r.Method == MethodDP {
			// A differential-privacy answer's status and as-of time are in
			// the stored answer.
			var a struct {
				Status string     `json:"status"`
				AsOf   *time.Time `json:"as_of"`
			}
			if err := json.Unmarshal([]byte(row.answer), &a); err != nil {
				return nil, fmt.Errorf("stats: release tables: %w", err)
			}
			t.PeriodStatus, t.AsOf = cmp.Or(a.Status, periodStatus(t.Period, row.created)), a.AsOf
			dp = append(dp, t)
			continue
		}
		t.Period = ""
		got[t.Table] = t
	}
	if r.Method == MethodDP {
		if dp == nil {
			dp = []ReleasedTable{}
		}
		return dp, nil
	}
	withheld, err := withheldTables(ctx, q, r.Name)
	if err != nil {
		return nil, err
	}
	for _, t := range withheld {
		got[t.Table] = t
	}
	out := make([]ReleasedTable, 0, len(s.tables))
	for _, info := range s.tables {
		t, ok := got[info.Name]
		if !ok {
			// A table added to the catalogue after the release was made,
			// or withheld before reasons were recorded.
			t = ReleasedTable{Table: info.Name, Status: StatusWithheld, Reason: ReasonNotInRelease}
		}
		out = append(out, t)
	}
	return out, nil
}

// answersStatus is a differential-privacy release's status and as-of
// time: provisional while any answer is of a period that was open when
// answered, final when all were closed; the latest as-of time of its
// answers. A release without answers has neither.
func answersStatus(ts []ReleasedTable) (string, *time.Time) {
	status := ""
	var asOf *time.Time
	for _, t := range ts {
		switch {
		case t.PeriodStatus == StatusProvisional:
			status = StatusProvisional
		case status == "":
			status = t.PeriodStatus
		}
		if t.AsOf != nil && (asOf == nil || t.AsOf.After(*asOf)) {
			u := t.AsOf.UTC()
			asOf = &u
		}
	}
	return status, asOf
}

// ReasonNotInRelease: the release holds no answer of the table and no
// recorded reason (a table added to the catalogue since, or a release
// made before reasons were kept).
const ReasonNotInRelease = "not_in_release"

// Ledger implements Service: the privacy ledger of every family for the
// months of period.
func (s *Stats) Ledger(ctx context.Context, period string) ([]LedgerEntry, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	es, err := s.ledger(ctx, s.db, p)
	if err != nil {
		return nil, err
	}
	if err := s.auditRead(ctx, "stats.ledger.read", "stats.ledger", p); err != nil {
		return nil, err
	}
	return es, nil
}

// Series is a catalogue table over successive quarters or years, each
// point as the latest snapshot release of its period has it.
type Series struct {
	Table  string        `json:"table"`
	Title  string        `json:"title"`
	Points []SeriesPoint `json:"points"`
}

// SeriesPoint is one period of a series: its table, or why there is none
// (Missing: no_release, or the withholding reason of the latest release).
type SeriesPoint struct {
	Period  string `json:"period"`
	Table   *Table `json:"table,omitempty"`
	Missing string `json:"missing,omitempty"`
}

// maxSeriesPoints bounds a series (ten years of quarters).
const maxSeriesPoints = 40

// Series implements Service: the table for every quarter (or year) from
// from to to, both of the same kind. A series reads releases only: it
// makes none, so a period never released shows as no_release.
func (s *Stats) Series(ctx context.Context, name, from, to string) (Series, error) {
	info, ok := s.byName[name]
	if !ok {
		return Series{}, ErrUnknownTable
	}
	periods, err := seriesPeriods(from, to)
	if err != nil {
		return Series{}, err
	}
	out := Series{Table: name, Title: info.Title}
	for _, p := range periods {
		pt := SeriesPoint{Period: p}
		t, err := s.latestTable(ctx, info, p)
		switch {
		case err == nil:
			pt.Table = &t
		case errors.Is(err, ErrNoRelease):
			pt.Missing = "no_release"
		case errors.Is(err, ErrWithheld):
			pt.Missing = StatusWithheld
		default:
			return Series{}, err
		}
		out.Points = append(out.Points, pt)
	}
	if err := s.auditRead(ctx, "stats.series.read", "stats.table", name+"/"+from+".."+to); err != nil {
		return Series{}, err
	}
	return out, nil
}

// latestTable reads a table from the latest snapshot release of period,
// making none.
func (s *Stats) latestTable(ctx context.Context, info TableInfo, period string) (Table, error) {
	name, err := latestSnapshot(ctx, s.db, period)
	if err != nil {
		return Table{}, err
	}
	if name == "" {
		return Table{}, ErrNoRelease
	}
	return storedAnswer(ctx, s.db, name, info.Name, period)
}

// seriesPeriods lists the quarters or years from from to to.
func seriesPeriods(from, to string) ([]string, error) {
	f, errF := ParsePeriod(from)
	t, errT := ParsePeriod(to)
	quarter := func(p string) bool { return len(p) == 7 && p[5] == 'Q' }
	if errF != nil || errT != nil || len(f) != len(t) || (len(f) == 7 && (!quarter(f) || !quarter(t))) || f > t {
		return nil, ErrBadSeries
	}
	var out []string
	for p := f; p <= t; p = nextPeriod(p) {
		if len(out) == maxSeriesPoints {
			return nil, ErrBadSeries
		}
		out = append(out, p)
	}
	return out, nil
}

// nextPeriod returns the quarter or year after p.
func nextPeriod(p string) string {
	y, _ := strconv.Atoi(p[:4])
	if len(p) == 4 {
		return strconv.Itoa(y + 1)
	}
	q := int(p[6] - '0')
	if q == 4 {
		return fmt.Sprintf("%d-Q1", y+1)
	}
	return fmt.Sprintf("%d-Q%d", y, q+1)
}
