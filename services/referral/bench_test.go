package referral

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func syntheticDirectory(r Routing, n int) []Provider {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]Provider, n)
	for i := range out {
		reg := r.Regions[rng.IntN(len(r.Regions))]
		regions := []string{reg}
		if i%50 == 0 {
			regions = []string{National}
		}
		places := 1 + rng.IntN(20)
		out[i] = p(fmt.Sprintf("org-%05d", i), reg, regions, places, rng.IntN(places+1), nil)
		if i%3 == 0 {
			womenOnly(&out[i])
		}
	}
	return out
}

// BenchmarkRoute ranks a directory of 2,000 providers and reports the p99
// of the individual rankings.
func BenchmarkRoute(b *testing.B) {
	r := defaultRoutingT(b)
	dir := syntheticDirectory(r, 2000)
	who := profile{Service: "shelter", Urgency: "emergency", Region: "MA-06", Gender: "female", Dependants: 1, Languages: []string{"ar"}}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		ranked, _ := r.rank(who, dir)
		lat = append(lat, time.Since(t0))
		if len(ranked) == 0 {
			b.Fatal("no candidate")
		}
	}
	report(b, lat)
}

// BenchmarkRouteFromDB includes getting the 2,000 providers as routing
// does (the directory cache, refilled from SQLite every two seconds).
func BenchmarkRouteFromDB(b *testing.B) {
	ev := newEnv(b, dbtest.SQLite(b))
	for _, pr := range syntheticDirectory(ev.s.routing, 2000) {
		in := ProviderInput{Name: "P", Region: pr.Region, Regions: pr.Regions, Genders: pr.Genders, AcceptsAdults: true,
			AcceptsDependants: true, Languages: pr.Languages, Availability: Hours, Active: true,
			Services: []ServicePlaces{{Service: "shelter", Places: pr.Services[0].Places}}}
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
		ev.s.routing.rank(who, dir)
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
