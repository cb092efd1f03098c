package referral

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// BenchmarkRouteFromDB includes getting the 2,000 providers as routing
// does (the directory cache, refilled from SQLite every two seconds).
func BenchmarkRouteFromDB(b *testing.B) {
	ev := newEnv(b, dbtest.SQLite(b))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		reg := ev.s.routing.Regions[rng.IntN(len(ev.s.routing.Regions))]
		in := ProviderInput{Name: "P", Region: reg, Regions: []string{reg}, AcceptsAdults: true,
			AcceptsDependants: true, Languages: []string{"fr"}, Availability: Hours, Active: true,
			Services: []ServicePlaces{{Service: "shelter", Places: 1 + rng.IntN(20)}}}
		if i%50 == 0 {
			in.Regions = []string{National}
		}
		if i%3 == 0 {
			in.Genders = []string{"female"}
		}
		ev.provider(b, in)
	}
	who := profile{Service: "shelter", Urgency: "normal", Region: "MA-06", Gender: "female"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		dir, err := ev.s.store.Routable(b.Context(), "shelter")
		if err != nil {
			b.Fatal(err)
		}
		ev.s.routing.Rank(who, dir)
		lat = append(lat, time.Since(t0))
	}
	report(b, lat)
}

// BenchmarkAcceptPostgres measures sequential acceptances (each one
// transaction with its audit, facts and notification rows) on PostgreSQL.
func BenchmarkAcceptPostgres(b *testing.B) {
	ev := newEnv(b, dbtest.Postgres(b))
	prov := ev.provider(b, shelter("MA-06", 1_000_00))
	ids := make([]string, 0, b.N)
	for range b.N {
		ids = append(ids, ev.refer(b, ev.adult("MA-06", 0), "normal", prov).ID)
	}
	cw := as(prov, auth.RoleNGOCaseworker)
	b.ResetTimer()
	t0 := time.Now()
	for i := range b.N {
		if _, err := ev.s.Accept(cw, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "accepts/s")
}

func report(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
