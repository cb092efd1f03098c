package directory

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/kit"
)

var rules = Rules{Regions: []string{"MA-01", "MA-06"}, Services: []string{"shelter", "medical"}}

func entry() ProviderInput {
	return ProviderInput{
		Name: " Dar Amal ", Region: "MA-06", Regions: []string{"MA-06", "MA-01", "MA-06"},
		Genders: []string{"female"}, AcceptsAdults: true, Languages: []string{"fr", "ar", "fr"},
		Availability: Always, Active: true, Services: []ServicePlaces{{Service: "shelter", Places: 4}},
	}
}

func TestValidateNamesTheFailingField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*ProviderInput)
		field string
	}{
		{"unknown region", func(in *ProviderInput) { in.Regions = []string{"XX-99"} }, "regions"},
		{"no service", func(in *ProviderInput) { in.Services = nil }, "services"},
		{"service twice", func(in *ProviderInput) { in.Services = append(in.Services, in.Services[0]) }, "services"},
		{"unknown service", func(in *ProviderInput) { in.Services[0].Service = "taxi" }, "services"},
		{"too many places", func(in *ProviderInput) { in.Services[0].Places = MaxPlaces + 1 }, "services"},
		{"nobody accepted", func(in *ProviderInput) { in.AcceptsAdults = false }, "accepts_children, accepts_adults"},
		{"webhook in clear", func(in *ProviderInput) { in.WebhookURL = "http://example.org/hook" }, "webhook_url"},
		{"hours as free text", func(in *ProviderInput) { in.Hours = "ask for <b>Fatima</b>" }, "hours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := entry()
			tc.edit(&in)
			_, err := rules.Validate(in)
			var e *kit.Error
			if !errors.As(err, &e) || e.Code != kit.CodeValidation || !strings.HasPrefix(e.Message, tc.field+": ") {
				t.Fatalf("got %v, want a validation error naming %s", err, tc.field)
			}
		})
	}
	got, err := rules.Validate(entry())
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Dar Amal" || !reflect.DeepEqual(got.Regions, []string{"MA-01", "MA-06"}) || !reflect.DeepEqual(got.Languages, []string{"ar", "fr"}) {
		t.Errorf("not normalised: %+v", got)
	}
}

// An entry goes out as HSDS and comes back the same, places included.
func TestHSDSRoundTripKeepsTheEntry(t *testing.T) {
	in, err := rules.Validate(entry())
	if err != nil {
		t.Fatal(err)
	}
	p := Provider{OrgID: "0b6f6c1e-3a53-4a86-9d7e-7d0f3d1f2a10", Name: in.Name, Region: in.Region, Regions: in.Regions,
		Genders: in.Genders, AcceptsAdults: true, Languages: in.Languages, Availability: in.Availability, Active: true,
		Services: []ProviderService{{Service: "shelter", Places: 4, Used: 1}}}
	back, err := FromHSDS(ToHSDS(p))
	if err != nil {
		t.Fatal(err)
	}
	if back, err = rules.Validate(back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, in)
	}
}
