package routing

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/services/referral/directory"
)

type (
	Provider        = directory.Provider
	ProviderService = directory.ProviderService
)

const (
	Always = directory.Always
	Hours  = directory.Hours
)

func writeFile(dir, name string, b []byte) error {
	return os.WriteFile(filepath.Join(dir, name), b, 0o600)
}

func defaultPolicy(t testing.TB) Policy {
	t.Helper()
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// p builds a directory entry for routing tests.
func p(id, region string, regions []string, places, used int, mod func(*Provider)) Provider {
	pr := Provider{OrgID: id, Region: region, Regions: regions, AcceptsAdults: true, AcceptsDependants: true,
		Languages: []string{"fr"}, Availability: Hours, Active: true,
		Services: []ProviderService{{Service: "shelter", Places: places, Used: used}}}
	if mod != nil {
		mod(&pr)
	}
	return pr
}

func womenOnly(p *Provider)    { p.Genders = []string{"female"} }
func childrenOnly(p *Provider) { p.AcceptsChildren, p.AcceptsAdults = true, false }
func arabic(p *Provider)       { p.Languages = []string{"ar", "fr"} }
func noDependants(p *Provider) { p.AcceptsDependants = false }

// The expected ranks below are worked out by hand from routing.json.
func TestRoutingScenarios(t *testing.T) {
	t.Parallel()
	r := defaultPolicy(t)
	cases := []struct {
		name      string
		who       Profile
		directory []Provider
		ranked    []string
		excluded  map[string]string
	}{{
		name: "a child in a region with no child shelter goes to the national child shelter",
		who:  Profile{Service: "shelter", Urgency: "normal", Region: "MA-10", Gender: "female", Child: true},
		directory: []Provider{
			p("adult-local", "MA-10", []string{"MA-10"}, 5, 0, nil),
			p("child-neighbour", "MA-09", []string{"MA-09"}, 5, 0, childrenOnly),
			p("child-national", "MA-06", []string{"national"}, 5, 0, childrenOnly),
		},
		ranked:   []string{"child-national"},
		excluded: map[string]string{"adult-local": ReasonChildNotAccepted, "child-neighbour": ReasonOutsideArea},
	}, {
		name: "an Arabic-speaking woman with two children: room for three, Arabic first",
		who:  Profile{Service: "shelter", Urgency: "high", Region: "MA-06", Gender: "female", Dependants: 2, Languages: []string{"ar"}},
		directory: []Provider{
			p("french-local", "MA-06", []string{"MA-06"}, 10, 0, nil),
			p("arabic-local", "MA-06", []string{"MA-06"}, 10, 0, arabic),
			p("arabic-two-left", "MA-06", []string{"MA-06"}, 10, 8, arabic),
			p("no-children", "MA-06", []string{"MA-06"}, 10, 0, func(p *Provider) { arabic(p); noDependants(p) }),
			p("arabic-neighbour", "MA-04", []string{"MA-04", "MA-06"}, 10, 0, arabic),
		},
		// arabic-local 100+25-0-10=115; french-local 100-0-10=90; arabic-neighbour 60+25-0-10=75
		ranked:   []string{"arabic-local", "french-local", "arabic-neighbour"},
		excluded: map[string]string{"arabic-two-left": ReasonNoRoom, "no-children": ReasonNoDependants},
	}, {
		name: "a provider at capacity is left out, a busy one ranks below an idle one",
		who:  Profile{Service: "shelter", Urgency: "normal", Region: "MA-01", Gender: "male"},
		directory: []Provider{
			p("full", "MA-01", []string{"MA-01"}, 4, 4, nil),
			p("busy", "MA-01", []string{"MA-01"}, 4, 3, nil),
			p("idle", "MA-01", []string{"MA-01"}, 4, 0, nil),
		},
		// idle 100-0-10=90; busy 100-22.5-10=67.5
		ranked:   []string{"idle", "busy"},
		excluded: map[string]string{"full": ReasonNoRoom},
	}, {
		name: "a national provider ranks after a neighbour and before a distant regional one",
		who:  Profile{Service: "shelter", Urgency: "emergency", Region: "MA-12", Gender: "female"},
		directory: []Provider{
			p("national", "MA-06", []string{"national"}, 5, 0, nil),
			p("neighbour", "MA-11", []string{"MA-11", "MA-12"}, 5, 0, nil),
			p("distant", "MA-01", []string{"MA-01", "MA-12"}, 5, 0, nil),
			p("inactive", "MA-12", []string{"MA-12"}, 5, 0, func(p *Provider) { p.Active = false }),
		},
		ranked:   []string{"neighbour", "national", "distant"},
		excluded: map[string]string{"inactive": ReasonInactive},
	}, {
		name: "a man in a region whose shelters take only women goes to the neighbouring region",
		who:  Profile{Service: "shelter", Urgency: "normal", Region: "MA-07", Gender: "male"},
		directory: []Provider{
			p("women-1", "MA-07", []string{"MA-07"}, 5, 0, womenOnly),
			p("women-2", "MA-07", []string{"MA-07", "MA-09"}, 5, 0, womenOnly),
			p("mixed-neighbour", "MA-09", []string{"MA-07", "MA-09"}, 5, 0, nil),
		},
		ranked:   []string{"mixed-neighbour"},
		excluded: map[string]string{"women-1": ReasonGenderNotAccepted, "women-2": ReasonGenderNotAccepted},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ranked, excluded := r.Rank(tc.who, tc.directory)
			var got []string
			for i, c := range ranked {
				got = append(got, c.OrgID)
				if c.Rank != i+1 || len(c.Reasons) == 0 {
					t.Errorf("%s: rank %d reasons %v", c.OrgID, c.Rank, c.Reasons)
				}
			}
			if !slices.Equal(got, tc.ranked) {
				t.Fatalf("ranked %v, want %v", got, tc.ranked)
			}
			gotEx := map[string]string{}
			for _, c := range excluded {
				gotEx[c.OrgID] = c.Reasons[0]
			}
			if fmt.Sprint(gotEx) != fmt.Sprint(tc.excluded) {
				t.Fatalf("excluded %v, want %v", gotEx, tc.excluded)
			}
		})
	}
}

func TestRoutingReasons(t *testing.T) {
	t.Parallel()
	r := defaultPolicy(t)
	ranked, _ := r.Rank(Profile{Service: "shelter", Urgency: "emergency", Region: "MA-06", Gender: "female", Languages: []string{"ar"}},
		[]Provider{p("x", "MA-06", []string{"MA-06"}, 10, 1, func(p *Provider) { arabic(p); p.Availability = Always })})
	want := []string{ReasonSameRegion, ReasonLanguageMatch, ReasonAlwaysOpen, ReasonLoadLow, ReasonNoHistory}
	if len(ranked) != 1 || !slices.Equal(ranked[0].Reasons, want) {
		t.Fatalf("reasons %v, want %v", ranked, want)
	}
}

func TestRoutingOverrideFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := []byte(`{"regions": []}`)
	if err := writeFile(dir, File, bad); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Fatal("an invalid override file was accepted")
	}
	if _, err := Load(t.TempDir()); err != nil {
		t.Fatalf("no override file: %v", err)
	}
}

func syntheticDirectory(r Policy, n int) []Provider {
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
	r := defaultPolicy(b)
	dir := syntheticDirectory(r, 2000)
	who := Profile{Service: "shelter", Urgency: "emergency", Region: "MA-06", Gender: "female", Dependants: 1, Languages: []string{"ar"}}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		ranked, _ := r.Rank(who, dir)
		lat = append(lat, time.Since(t0))
		if len(ranked) == 0 {
			b.Fatal("no candidate")
		}
	}
	report(b, lat)
}

func report(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
