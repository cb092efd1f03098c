package referral

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/referral/directory"
)

// directoryOf is the directory as a comparable value: what a provider
// manages, without bookkeeping (update times, response medians).
func directoryOf(t *testing.T, s Service, ctxOrg string) []Provider {
	t.Helper()
	ps, err := s.ListProviders(as(ctxOrg, auth.RoleSystemAdmin), "", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		ps[i].UpdatedAt, ps[i].MedianResponseSeconds, ps[i].WebhookURL = time.Time{}, nil, ""
	}
	return ps
}

// TestHSDSRoundTrip exports a varied directory over HTTP, imports it into
// an empty deployment and finds the same directory there, and the same
// export again.
func TestHSDSRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		from, to := newEnv(t, e), newEnv(t, e)
		hours := shelter("MA-01", 4)
		hours.Availability, hours.Hours = Hours, "Mo-Fr 08:00-18:00"
		hours.Genders = []string{"female", "other"}
		national := ProviderInput{Name: "Legal Aid Network", Regions: []string{National}, AcceptsChildren: true,
			AcceptsAdults: true, Languages: []string{"ar", "en", "fr"}, Availability: Always, Active: true,
			Services: []ServicePlaces{{Service: "legal_aid", Places: 40}, {Service: "interpretation", Places: 3},
				{Service: "documentation", Places: 0}}}
		inactive := shelter("MA-12", 2)
		inactive.Active, inactive.AcceptsChildren, inactive.AcceptsDependants = false, true, false
		inactive.Regions = []string{"MA-11", "MA-12"}
		withHook := shelter("MA-06", 9)
		withHook.WebhookURL = "https://provider.example/hook"
		for _, in := range []ProviderInput{hours, national, inactive, withHook} {
			from.provider(t, in)
		}

		tok := tokens{"a": {UserID: event.NewID(), Roles: []string{auth.RoleSystemAdmin}}}
		src, err := NewClient(from.server(t, tok).URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		dst, err := NewClient(to.server(t, tok).URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx := auth.WithPrincipal(t.Context(), auth.Principal{UserID: tok["a"].UserID, Token: "a"})
		exported, err := src.ExportHSDS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(exported.Organizations) != 4 {
			t.Fatalf("%d organizations exported", len(exported.Organizations))
		}
		raw, _ := json.Marshal(exported)
		for _, leak := range []string{"webhook", "provider.example", "median"} {
			if strings.Contains(strings.ToLower(string(raw)), leak) {
				t.Fatalf("export holds %q", leak)
			}
		}
		n, err := dst.ImportHSDS(ctx, exported)
		if err != nil || n != 4 {
			t.Fatalf("import: %d, %v", n, err)
		}
		again, err := dst.ExportHSDS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(exported, again) {
			a, _ := json.MarshalIndent(exported, "", " ")
			b, _ := json.MarshalIndent(again, "", " ")
			t.Fatalf("export after import differs:\n%s\n---\n%s", a, b)
		}
		want, got := directoryOf(t, from.s, ""), directoryOf(t, to.s, "")
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("directory after import differs:\n%+v\n---\n%+v", want, got)
		}
	})
}

// An import is all or nothing: one bad organisation leaves the directory
// as it was.
func TestHSDSImportAllOrNothing(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	good := directory.ToHSDS(Provider{OrgID: event.NewID(), Name: "A", Regions: []string{"MA-06"}, AcceptsAdults: true,
		Availability: Always, Active: true, Languages: []string{}, Genders: []string{},
		Services: []ProviderService{{Service: "shelter", Places: 3}}})
	bad := good
	bad.ID = event.NewID()
	bad.Attributes = append(bad.Attributes, HSDSAttribute{TaxonomyTermID: "nrm:street_address", Value: "x"})
	if _, err := ev.s.ImportHSDS(admin(), HSDSDocument{Organizations: []HSDSOrganization{good, bad}}); kitAs(err) != 400 {
		t.Fatalf("err %v, want 400", err)
	}
	if ps, err := ev.s.ListProviders(admin(), "", ""); err != nil || len(ps) != 0 {
		t.Fatalf("%d providers written, %v", len(ps), err)
	}
}
