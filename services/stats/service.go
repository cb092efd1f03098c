package stats

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"fmt"
	"github.com/nrm-project/nrm/services/stats/catalogue"
	"net/http"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/stats/ledger"
)

// Service is what the commission's analysts call. The receiver of facts
// (Stats.Receive) is not part of it: only the outbox relay feeds facts.
type Service interface {
	// Tables lists the catalogue.
	Tables(ctx context.Context) ([]TableInfo, error)
	// Table returns a catalogue table for a period as the latest snapshot
	// release of that period has it (perturbed by the cell-key method,
	// small cells suppressed); the first request for a period never
	// released makes its first release.
	Table(ctx context.Context, name, period string) (Table, error)
	// Report returns the printable annual report (HTML) of a year.
	Report(ctx context.Context, year int) ([]byte, error)
	// AnnualReport returns the annual report of a year as data: every
	// catalogue table as the latest release of the year has it (or why it
	// is withheld) with the table in each quarter; built once for the
	// releases it reads, stored, and read from the store afterwards.
	AnnualReport(ctx context.Context, year int) (AnnualReport, error)
	// CreateRelease makes a snapshot release of a period (refused with
	// ErrReleaseTooSmall when too few records changed since the last one),
	// or opens a differential-privacy release with a total budget.
	CreateRelease(ctx context.Context, spec ReleaseSpec) (Release, error)
	// ReleaseTable returns a table of a release: the stored snapshot, or
	// for a differential-privacy release the answer computed at epsilon
	// (0: the default), spending from the release's budget and the privacy
	// ledger, on the first request for each table and period.
	ReleaseTable(ctx context.Context, release, name, period string, epsilon float64) (Table, error)
	// Releases lists the releases, newest first (of one period when given),
	// with their status, the time their data is as of, and what became of
	// each table (withheld ones with the reason).
	Releases(ctx context.Context, period string) ([]Release, error)
	// Ledger returns the privacy ledger of every table family for the
	// months of a period: budget, spent and remaining epsilon.
	Ledger(ctx context.Context, period string) ([]LedgerEntry, error)
	// Series returns a table for every quarter (or year) from one to
	// another, as the latest release of each has it.
	Series(ctx context.Context, name, from, to string) (Series, error)
}

// Errors.
var (
	ErrUnknownTable   = kit.NewError(http.StatusNotFound, kit.CodeNotFound, "no such table in the catalogue")
	ErrUnknownRelease = kit.NewError(http.StatusNotFound, kit.CodeNotFound, "no such release")
	ErrBadPeriod      = kit.Validation("period: a year (2026), a quarter (2026-Q4) or a month (2026-11)")
	ErrBadYear        = kit.Validation("year: four digits")
	ErrBadRelease     = kit.Validation("release: name of 1-64 letters, digits, dot, dash or underscore, not starting with auto-; either a period, or an epsilon positive and at most the configured maximum")
	ErrBadFormat      = kit.Validation("format: json or csv")
	ErrBadSeries      = kit.Validation("from, to: two quarters (2025-Q1) or two years (2025), from not after to, at most 40 periods")
	ErrReleaseExists  = kit.Conflict("a release of that name exists")
	ErrBudgetSpent    = kit.NewError(http.StatusConflict, "release_budget_spent", "the release's own privacy budget is spent: no further tables")
	ErrBadEpsilon     = kit.Validation("epsilon: a positive number at most the privacy ledger's monthly budget, and only for a differential-privacy release")
	ErrEpsilonDiffers = kit.NewError(http.StatusConflict, "epsilon_differs",
		"the release answered this table and period at another epsilon: ask a new release for another")
	ErrNoRelease = kit.NewError(http.StatusNotFound, "no_release",
		"no release of the period yet: the period is still open, so it is released on request (POST /api/v1/stats/releases) or by the schedule once it closes")
	// ErrReleaseTooSmall refuses new figures that would differ from
	// published ones of an overlapping period by fewer than K records.
	ErrReleaseTooSmall = kit.NewError(http.StatusConflict, "release_too_small",
		"too few records changed since the period (or an overlapping one) was last released: the earlier figures stand")
	ErrWithheld = kit.NewError(http.StatusConflict, "table_withheld",
		"the table is withheld for this period until enough records change since an overlapping period was released")
	ErrPeriodNotInRelease = kit.NewError(http.StatusNotFound, kit.CodeNotFound, "the release is of another period")
	ErrUnavailable        = kit.ErrUnavailable
)

// Config configures the stats service.
type Config struct {
	DB     *db.DB
	Keys   *keys.Dir // for the client-address hash in audit events; may be nil
	Logger log.Logger
	// PoliciesDir may hold stats-disclosure.json replacing the embedded
	// default (LoadDisclosure); Disclosure, when set, is used instead.
	PoliciesDir string
	Disclosure  *Disclosure
	Now         func() time.Time
	// RecordKey draws the record key of a record (a case key or an event
	// id) on its first receipt, uniform in [0, 2^32); default crypto/rand,
	// ignoring the id. Tests derive it from the id to compare stores.
	RecordKey func(record string) uint32
	// Uniform draws a uniform float in (0, 1) for differential-privacy
	// noise; default crypto/rand.
	Uniform func() float64

	// unchecked skips policy validation: tests use it to switch protection
	// off and show that their attacks then succeed.
	unchecked bool
}

// Stats is the stats service: the Service, the fact receiver and the
// denial recorder of its endpoints.
type Stats struct {
	db      *db.DB
	logger  log.Logger
	policy  Disclosure
	tables  []TableInfo
	byName  map[string]TableInfo
	now     func() time.Time
	rk      func(string) uint32
	uniform func() float64
	rec     event.Recorder
	ob      *outbox.Outbox
	privacy *ledger.Ledger
}

var _ Service = (*Stats)(nil)

// New returns the stats service.
func New(cfg Config) (*Stats, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("stats: no database")
	}
	var pol Disclosure
	switch {
	case cfg.Disclosure != nil:
		pol = *cfg.Disclosure
		if !cfg.unchecked {
			if err := pol.Validate(); err != nil {
				return nil, err
			}
		}
	default:
		var err error
		if pol, err = LoadDisclosure(cfg.PoliciesDir); err != nil {
			return nil, err
		}
	}
	s := &Stats{db: cfg.DB, logger: cfg.Logger, policy: pol, now: cfg.Now, rk: cfg.RecordKey, uniform: cfg.Uniform,
		privacy: ledger.New(pol.DP.EpsilonPerMonth)}
	if s.logger == nil {
		s.logger = log.NewNopLogger()
	}
	if s.now == nil {
		s.now = time.Now
	}
	clock := s.now
	s.now = func() time.Time { return clock().UTC().Truncate(time.Microsecond) }
	if s.rk == nil {
		s.rk = randomKey
	}
	if s.uniform == nil {
		s.uniform = randomUniform
	}
	s.rec = event.Recorder{Now: s.now}
	if cfg.Keys != nil {
		s.rec.ClientKey = cfg.Keys.Subkey(keys.PurposeClientAddress)
	}
	s.ob = &outbox.Outbox{Service: "stats", Now: s.now}
	s.tables = catalogue.Tables(pol.Regions)
	s.byName = map[string]TableInfo{}
	for _, t := range s.tables {
		s.byName[t.Name] = t
	}
	return s, nil
}

func (s *Stats) recordKey(record string) uint32 { return s.rk(record) }

func randomKey(string) uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

func randomUniform() float64 {
	for {
		var b [8]byte
		_, _ = rand.Read(b[:])
		u := float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53)
		if u > 0 {
			return u
		}
	}
}

// Policy returns the disclosure-control policy in force.
func (s *Stats) Policy() Disclosure { return s.policy }

// audit writes audit events into the stats outbox in tx. Failing to audit
// fails the request: no record, no answer.
func (s *Stats) audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	if err := s.ob.Audit(ctx, tx, events...); err != nil {
		return fmt.Errorf("stats: audit: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// auditRead records a read in its own transaction.
func (s *Stats) auditRead(ctx context.Context, action, objectType, objectID string) error {
	return s.auditOne(ctx, action, objectType, objectID, event.Allowed)
}

func (s *Stats) auditOne(ctx context.Context, action, objectType, objectID string, o event.Outcome) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, s.rec.New(ctx, action, objectType, objectID, o))
	})
}

// RecordDenial implements authz.DenialRecorder: a denied request is
// audited through the stats outbox.
func (s *Stats) RecordDenial(ctx context.Context, object, action, objectID string) error {
	return s.auditOne(ctx, object+"."+action, object, objectID, event.Denied)
}

// Tables implements Service.
func (s *Stats) Tables(ctx context.Context) ([]TableInfo, error) {
	if err := s.auditRead(ctx, "stats.catalogue.read", "stats.tables", ""); err != nil {
		return nil, err
	}
	return s.tables, nil
}

// Table implements Service.
func (s *Stats) Table(ctx context.Context, name, period string) (Table, error) {
	info, ok := s.byName[name]
	if !ok {
		return Table{}, ErrUnknownTable
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return Table{}, err
	}
	t, err := s.publishedTable(ctx, info, p)
	if err != nil {
		return Table{}, err
	}
	if err := s.auditRead(ctx, "stats.table.read", "stats.table", name+"/"+p); err != nil {
		return Table{}, err
	}
	return t, nil
}
