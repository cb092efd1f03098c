package stats

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The annual report as data, built once per set of releases and stored.
//
// A report reads every catalogue table of the year and its four quarters:
// some sixty stored answers. Their figures change only with a new
// release (the answers of a release are frozen, and the cell-key
// perturbation is a function of the stored aggregates), so the report is
// built once for the releases it reads (the latest snapshot of the year
// and of each quarter) and stored under their names. A view finds the
// latest releases, reads the stored report when they are the ones it was
// built from, and builds and stores it otherwise. Snapshot releases spend
// no privacy budget: a report, built or re-read, never touches the
// ledger. Each view is one audit event naming the report it read.

// AnnualReport is the annual report of a year: every catalogue table as
// the latest snapshot release of the year publishes it, with its grand
// total in each quarter as the latest release of that quarter has it.
type AnnualReport struct {
	Year int `json:"year"`
	// Release names the year's release ("" when none could be made: every
	// table is then withheld); Status and AsOf are its own.
	Release  string          `json:"release"`
	Status   string          `json:"status,omitempty"`
	AsOf     *time.Time      `json:"as_of,omitempty"`
	Created  *time.Time      `json:"created,omitempty"`
	Quarters []string        `json:"quarter_releases"` // the release read for each quarter, "" for none
	Sections []ReportSection `json:"sections"`

	raw []byte // the stored encoding, served as it is
}

// MarshalJSON returns the stored encoding of a report read from the
// store: a view re-encodes nothing.
func (r AnnualReport) MarshalJSON() ([]byte, error) {
	if r.raw != nil {
		return r.raw, nil
	}
	type plain AnnualReport
	return json.Marshal(plain(r))
}

// ReportSection is one catalogue table of an annual report: its figures,
// or what the release did instead (withheld, with the reason), and its
// grand total over the quarters of the year (none for a withheld table):
// each quarter's table holds only the cell of its first unit with every
// dimension at its margin (no cell when a dimension has no margin).
type ReportSection struct {
	Info     TableInfo      `json:"info"`
	Table    *Table         `json:"table,omitempty"`
	Withheld *ReleasedTable `json:"withheld,omitempty"`
	Quarters *Series        `json:"quarters,omitempty"`
}

// key names the releases a report was built from: the year's and each
// quarter's, "/" between them (release names hold no "/").
func (r AnnualReport) key() string { return r.Release + "/" + strings.Join(r.Quarters, "/") }

// auditID names the report in its audit records: its key, or when that
// is longer than an event's code may be, the year's release and a digest
// of the key.
func (r AnnualReport) auditID() string {
	k := r.key()
	if len(k) <= 128 {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return r.Release + "/" + hex.EncodeToString(sum[:8])
}

// AnnualReport implements Service.
func (s *Stats) AnnualReport(ctx context.Context, year int) (AnnualReport, error) {
	r, err := s.annualReport(ctx, year)
	if err != nil {
		return AnnualReport{}, err
	}
	if err := s.auditRead(ctx, "stats.annual_report.read", "stats.report", r.auditID()); err != nil {
		return AnnualReport{}, err
	}
	return r, nil
}

// annualReport returns the stored report of year for its latest
// releases, building and storing it when there is none.
func (s *Stats) annualReport(ctx context.Context, year int) (AnnualReport, error) {
	if year < 1000 || year > 9999 {
		return AnnualReport{}, ErrBadYear
	}
	period := strconv.Itoa(year)
	quarters := make([]string, 4)
	for i := range quarters {
		quarters[i] = fmt.Sprintf("%d-Q%d", year, i+1)
	}
	latest, err := latestSnapshots(ctx, s.db, append([]string{period}, quarters...))
	if err != nil {
		return AnnualReport{}, err
	}
	if latest[period] == "" && len(s.tables) > 0 {
		// Makes the first release of a closed year; an open year never
		// released is ErrNoRelease, a closed one with too few records has
		// every table withheld.
		_, err := s.publishedTable(ctx, s.tables[0], period)
		switch {
		case errors.Is(err, ErrWithheld):
		case err != nil:
			return AnnualReport{}, err
		}
		if latest[period], err = latestSnapshot(ctx, s.db, period); err != nil {
			return AnnualReport{}, err
		}
	}
	r := AnnualReport{Year: year, Release: latest[period], Quarters: make([]string, 4)}
	for i, q := range quarters {
		r.Quarters[i] = latest[q]
	}
	if r.Release != "" {
		stored, ok, err := storedReport(ctx, s.db, period, r.key())
		if err != nil || ok {
			return stored, err
		}
	}
	if err := s.buildReport(ctx, &r, quarters); err != nil {
		return AnnualReport{}, err
	}
	if r.Release != "" {
		if err := storeReport(ctx, s.db, period, r.key(), r, s.now()); err != nil {
			return AnnualReport{}, err
		}
	}
	return r, nil
}

// buildReport reads the report's tables from the releases r names.
func (s *Stats) buildReport(ctx context.Context, r *AnnualReport, quarters []string) error {
	period := strconv.Itoa(r.Year)
	released := map[string]ReleasedTable{}
	if r.Release != "" {
		rel := Release{Name: r.Release, Method: MethodCellKey, Period: period}
		created, asOf, err := releaseTimes(ctx, s.db, r.Release)
		if err != nil {
			return err
		}
		r.Created, r.AsOf, r.Status = &created, asOf, periodStatus(period, created)
		ts, err := s.releasedTables(ctx, s.db, rel)
		if err != nil {
			return err
		}
		for _, t := range ts {
			released[t.Table] = t
		}
	}
	r.Sections = make([]ReportSection, 0, len(s.tables))
	for _, info := range s.tables {
		sec := ReportSection{Info: info}
		if t, ok := released[info.Name]; r.Release == "" || (ok && t.Status == StatusWithheld) {
			if !ok {
				t = ReleasedTable{Table: info.Name, Status: StatusWithheld}
			}
			sec.Withheld = &t
			r.Sections = append(r.Sections, sec)
			continue
		}
		t, err := storedAnswer(ctx, s.db, r.Release, info.Name, period)
		if err != nil {
			return err
		}
		sec.Table = &t
		sr := Series{Table: info.Name, Title: info.Title}
		for i, q := range quarters {
			pt := SeriesPoint{Period: q, Missing: "no_release"}
			if r.Quarters[i] != "" {
				qt, err := storedAnswer(ctx, s.db, r.Quarters[i], info.Name, q)
				switch {
				case err == nil:
					qt.Cells = grandTotal(info, qt.Cells)
					pt.Table, pt.Missing = &qt, ""
				case errors.Is(err, ErrWithheld):
					pt.Missing = StatusWithheld
				default:
					return err
				}
			}
			sr.Points = append(sr.Points, pt)
		}
		sec.Quarters = &sr
		r.Sections = append(r.Sections, sec)
	}
	return nil
}

// grandTotal keeps the cell of the first unit with every dimension at its
// margin, if the table has one.
func grandTotal(info TableInfo, cells []Cell) []Cell {
	for _, c := range cells {
		if c.Unit == info.Units[0] && !slices.ContainsFunc(c.Dims, func(v string) bool { return v != total }) {
			return []Cell{c}
		}
	}
	return []Cell{}
}
