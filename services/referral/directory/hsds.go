package directory

import (
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit"
)

// HSDSDocument is the directory in the shape of Open Referral HSDS 3.0
// (organization, service, service_area, language, schedule; capacity as
// HSDS 3.1 service_capacity; the routing profile as attributes). Mapping:
//
//	organization.id            provider org_id
//	organization.name          name
//	organization.attributes    profile: region, accepts_children, accepts_adults,
//	                           accepts_dependants, gender (one per accepted gender), active
//	service.id                 org_id:service
//	service.name               service type code (needs taxonomy)
//	service.status             active | inactive
//	service_area.name          a region code, or "national"
//	language.code              ISO 639-1
//	schedule.description       "24/7" or the opening-hours code
//	service_capacity.maximum   places; .available = places - used; .unit = "places"
//
// Nothing else (no address, phone or person) is exported or imported.
type HSDSDocument struct {
	Organizations []HSDSOrganization `json:"organizations"`
}

// HSDSOrganization is an HSDS organization with its services.
type HSDSOrganization struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Attributes []HSDSAttribute `json:"attributes"`
	Services   []HSDSService   `json:"services"`
}

// HSDSAttribute is an HSDS attribute (taxonomy term and value).
type HSDSAttribute struct {
	TaxonomyTermID string `json:"taxonomy_term_id"`
	Value          string `json:"value"`
}

// HSDSService is an HSDS service.
type HSDSService struct {
	ID             string            `json:"id"`
	OrganizationID string            `json:"organization_id"`
	Name           string            `json:"name"`
	Status         string            `json:"status"`
	ServiceAreas   []HSDSServiceArea `json:"service_areas"`
	Languages      []HSDSLanguage    `json:"languages"`
	Schedules      []HSDSSchedule    `json:"schedules"`
	Capacities     []HSDSCapacity    `json:"capacities"`
}

// HSDSServiceArea is an area a service covers.
type HSDSServiceArea struct {
	Name string `json:"name"`
}

// HSDSLanguage is a language a service is offered in.
type HSDSLanguage struct {
	Code string `json:"code"`
}

// HSDSSchedule is when a service is open.
type HSDSSchedule struct {
	Description string `json:"description"`
}

// HSDSCapacity is a service's capacity.
type HSDSCapacity struct {
	Unit      string `json:"unit"`
	Maximum   int    `json:"maximum"`
	Available int    `json:"available"`
}

const hsdsTerm = "nrm:"

// ToHSDS is a provider's entry as an HSDS organization.
func ToHSDS(p Provider) HSDSOrganization {
	attr := func(k, v string) HSDSAttribute { return HSDSAttribute{TaxonomyTermID: hsdsTerm + k, Value: v} }
	o := HSDSOrganization{ID: p.OrgID, Name: p.Name, Attributes: []HSDSAttribute{
		attr("region", p.Region), attr("accepts_children", strconv.FormatBool(p.AcceptsChildren)),
		attr("accepts_adults", strconv.FormatBool(p.AcceptsAdults)),
		attr("accepts_dependants", strconv.FormatBool(p.AcceptsDependants)), attr("active", strconv.FormatBool(p.Active)),
	}, Services: []HSDSService{}}
	for _, g := range p.Genders {
		o.Attributes = append(o.Attributes, attr("gender", g))
	}
	status := "inactive"
	if p.Active {
		status = "active"
	}
	sched := p.Availability
	if sched == Hours {
		sched = p.Hours
	}
	for _, s := range p.Services {
		hs := HSDSService{ID: p.OrgID + ":" + s.Service, OrganizationID: p.OrgID, Name: s.Service, Status: status,
			Schedules:  []HSDSSchedule{{Description: sched}},
			Capacities: []HSDSCapacity{{Unit: "places", Maximum: s.Places, Available: max(s.Places-s.Used, 0)}}}
		for _, r := range p.Regions {
			hs.ServiceAreas = append(hs.ServiceAreas, HSDSServiceArea{Name: r})
		}
		for _, l := range p.Languages {
			hs.Languages = append(hs.Languages, HSDSLanguage{Code: l})
		}
		o.Services = append(o.Services, hs)
	}
	return o
}

// fromHSDS reads one organization back into a directory entry.
// FromHSDS is the entry an HSDS organization describes, not yet
// validated (Rules.Validate).
func FromHSDS(o HSDSOrganization) (ProviderInput, error) {
	in := ProviderInput{Name: o.Name, Availability: Always}
	for _, a := range o.Attributes {
		k := strings.TrimPrefix(a.TaxonomyTermID, hsdsTerm)
		b, berr := strconv.ParseBool(a.Value)
		switch k {
		case "region":
			in.Region = a.Value
		case "gender":
			in.Genders = append(in.Genders, a.Value)
		case "accepts_children", "accepts_adults", "accepts_dependants", "active":
			if berr != nil {
				return in, kit.Validation("attributes: " + k + " must be true or false")
			}
			switch k {
			case "accepts_children":
				in.AcceptsChildren = b
			case "accepts_adults":
				in.AcceptsAdults = b
			case "accepts_dependants":
				in.AcceptsDependants = b
			default:
				in.Active = b
			}
		default:
			return in, kit.Validation("attributes: unknown term " + strconv.Quote(a.TaxonomyTermID))
		}
	}
	for _, s := range o.Services {
		if s.OrganizationID != "" && s.OrganizationID != o.ID {
			return in, kit.Validation("services: organization_id must be the organization's")
		}
		places := 0
		for _, c := range s.Capacities {
			if c.Unit == "places" {
				places = c.Maximum
			}
		}
		in.Services = append(in.Services, ServicePlaces{Service: s.Name, Places: places})
		for _, a := range s.ServiceAreas {
			in.Regions = append(in.Regions, a.Name)
		}
		for _, l := range s.Languages {
			in.Languages = append(in.Languages, l.Code)
		}
		for _, sc := range s.Schedules {
			if sc.Description != Always {
				in.Availability, in.Hours = Hours, sc.Description
			}
		}
	}
	return in, nil
}
