package stats

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// benchCases is the size of the synthetic store (NRM_BENCH_CASES overrides).
func benchCases() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("NRM_BENCH_CASES"), &n); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var (
	benchOnce    sync.Once
	benchFixture *fixture
)

// loadSynthetic is the benchmarks' bulk path: it writes case facts and
// the aggregates they make directly, in one transaction, skipping the
// per-event receiver (which the tests exercise).
func loadSynthetic(b *testing.B, f *fixture, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(9, 9))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	regions := append(slicesClone(f.s.policy.Regions), unknown)
	d := newDeltas()
	start := time.Now()
	err := f.s.db.Tx(context.Background(), func(stx *sql.Tx) error {
		tx := wtx{stx, f.s.db.Engine}
		// Multi-row inserts: a statement per row made the load of a
		// million cases on PostgreSQL a quarter of an hour of round trips.
		var rows [][]any
		insert := func() error {
			err := upsert(context.Background(), tx, `INSERT INTO cases (case_key, record_key, registered, reg_event,
				identified_month, region, gender, age_group, location, org_kind, route, exploitation, created_at, nationalities,
				treated_as_child, unaccompanied) VALUES `, rows, "")
			rows = rows[:0]
			return err
		}
		for i := range n {
			c := caseFact{Key: fmt.Sprintf("bench-%07d", i), RecordKey: r.Uint32(), Registered: true,
				IdentifiedMonth: fmt.Sprintf("%d-%02d", 2024+i%3, 1+(i/3)%12), Region: pick(regions),
				Gender: pick(genders), AgeGroup: pick(ageGroups), Location: pick(locations), OrgKind: pick(orgKinds),
				Types: []string{pick(exploitations)}, Nationality: pick(benchNationalities)}
			c.TreatedAsChild, c.Unaccompanied = c.AgeGroup == "child", c.AgeGroup == "child" && r.IntN(3) == 0
			rows = append(rows, []any{c.Key, int64(c.RecordKey), true, "e", c.IdentifiedMonth, c.Region, c.Gender, c.AgeGroup,
				c.Location, c.OrgKind, "nrm", c.Types[0], f.clock, c.Nationality, c.TreatedAsChild, c.Unaccompanied})
			if len(rows) == rowsPerInsert {
				if err := insert(); err != nil {
					return err
				}
			}
			for _, x := range contributions(component{Cases: []caseFact{c}}, 3) {
				d.Add(x, +1)
			}
		}
		if len(rows) > 0 {
			if err := insert(); err != nil {
				return err
			}
		}
		return flush(context.Background(), tx, d, f.clock)
	})
	if err != nil {
		b.Fatal(err)
	}
	rows, _ := d.ByPeriod()
	b.Logf("bulk load of %d cases: %s, %d aggregate rows", n, time.Since(start).Round(time.Millisecond), len(rows))
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// benchNationalities: more than the nationality table names.
var benchNationalities = []string{"MA", "NG", "SN", "CI", "GN", "ML", "CM", "SY", "PH", "BD", "VN", "CN", "ES", "FR",
	"DZ", "TN", "EG", "SD", "ER", "GH"}

func benchStore(b *testing.B) *fixture {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nrm-stats-bench")
		if err != nil {
			b.Fatal(err)
		}
		// The store outlives each benchmark (b.Cleanup would close it):
		// opened by hand and left for the process exit and the OS.
		cfg := db.Config{DataDir: dir}
		if err := db.Migrate(context.Background(), cfg, "stats"); err != nil {
			b.Fatal(err)
		}
		d, err := db.Open(context.Background(), cfg, "stats")
		if err != nil {
			b.Fatal(err)
		}
		f := &fixture{db: d, clock: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
		f.ctx = auth.WithPrincipal(context.Background(), auth.Principal{UserID: "analyst-1", Roles: []string{auth.RoleCommissionAnalyst}})
		if f.s, err = New(Config{DB: d, Now: func() time.Time { return f.clock }}); err != nil {
			b.Fatal(err)
		}
		benchFixture = f
		loadSynthetic(b, benchFixture, benchCases())
		releaseQuarter(b, f)
	})
	return benchFixture
}

// benchQuarter is the quarter the benchmarks read; the data's last, still
// open at the fixture's clock, so it is released first.
const benchQuarter = "2026-Q4"

func releaseQuarter(b *testing.B, f *fixture) {
	b.Helper()
	start := time.Now()
	if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "bench", Period: benchQuarter}); err != nil {
		b.Fatal(err)
	}
	b.Logf("release of %s (every catalogue table from the aggregates): %s", benchQuarter, time.Since(start).Round(time.Millisecond))
}

// percentiles reports p50 and p99 of the calls' durations.
func percentiles(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	if len(ds) == 0 {
		return
	}
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkCatalogueTable answers catalogue tables for a quarter from its
// release, the audit event of each read included.
func BenchmarkCatalogueTable(b *testing.B) { benchCatalogue(b, benchStore(b)) }

// BenchmarkPlainGroupBy is the same question as a GROUP BY over the facts
// (the cases × age group × location cells of a quarter, unperturbed).
func BenchmarkPlainGroupBy(b *testing.B) { benchGroupBy(b, benchStore(b)) }

// BenchmarkPostgres runs both on PostgreSQL, in a database of its own
// (dropped at the end), loaded with NRM_BENCH_CASES cases.
func BenchmarkPostgres(b *testing.B) {
	d := dbtest.Open(b, dbtest.Postgres(b), "stats")
	f := &fixture{db: d, clock: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	f.ctx = auth.WithPrincipal(context.Background(), auth.Principal{UserID: "analyst-1", Roles: []string{auth.RoleCommissionAnalyst}})
	var err error
	if f.s, err = New(Config{DB: d, Now: func() time.Time { return f.clock }}); err != nil {
		b.Fatal(err)
	}
	loadSynthetic(b, f, benchCases())
	if _, err := d.ExecContext(f.ctx, `ANALYZE`); err != nil { // as autovacuum would, after a bulk load
		b.Fatal(err)
	}
	releaseQuarter(b, f)
	b.Run("CatalogueTable", func(b *testing.B) { benchCatalogue(b, f) })
	b.Run("PlainGroupBy", func(b *testing.B) { benchGroupBy(b, f) })
}

func benchCatalogue(b *testing.B, f *fixture) {
	for _, name := range []string{TableCasesByAgeLocation, TableExploitationGenderAge, TableRegionResponder, TableCasesByNationality} {
		b.Run(name, func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				t0 := time.Now()
				tb, err := f.s.Table(f.ctx, name, benchQuarter)
				ds = append(ds, time.Since(t0))
				if err != nil || len(tb.Cells) == 0 {
					b.Fatal(err)
				}
			}
			percentiles(b, ds)
		})
	}
}

func benchGroupBy(b *testing.B, f *fixture) {
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		rows, err := f.db.QueryContext(f.ctx, `SELECT age_group, location, COUNT(*) FROM cases
			WHERE identified_month >= '2026-10' AND identified_month <= '2026-12' GROUP BY age_group, location`)
		if err != nil {
			b.Fatal(err)
		}
		var cells []string
		for rows.Next() {
			var a, l string
			var n int64
			if err := rows.Scan(&a, &l, &n); err != nil {
				b.Fatal(err)
			}
			cells = append(cells, strings.Join([]string{a, l}, cellSep))
		}
		rows.Close()
		ds = append(ds, time.Since(t0))
		if len(cells) == 0 {
			b.Fatal("no rows")
		}
	}
	percentiles(b, ds)
}

// BenchmarkRegistrationDeltas is the receiver's work in memory for a batch
// of 16 registrations: their contributions and the cell changes they make
// in every period.
func BenchmarkRegistrationDeltas(b *testing.B) {
	comps := make([]component, 16)
	for i := range comps {
		comps[i] = component{Cases: []caseFact{{
			Key: fmt.Sprintf("case-%02d", i), RecordKey: uint32(i) * 7919, Registered: true, RegEvent: fmt.Sprintf("ev-%02d", i),
			IdentifiedMonth: "2026-11", Region: "MA-06", Gender: "female", AgeGroup: "adult", Location: "both",
			OrgKind: "police", Route: "nrm", Types: []string{"sexual", "labour"},
		}}}
	}
	b.ReportAllocs()
	for b.Loop() {
		d := newDeltas()
		for _, c := range comps {
			d.Diff(nil, contributions(c, 3))
		}
		d.ByPeriod()
	}
}
