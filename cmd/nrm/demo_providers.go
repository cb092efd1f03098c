package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/referral"
)

// demoDirectory are the directory entries of the demo's provider
// organisations, keyed by demoOrg.key, so that routing finds candidates
// out of the box: between them every service a first week needs.
var demoDirectory = map[string]referral.ProviderInput{
	"ngo-shelter": {
		Name: "Demo: Women's shelter association", Region: "MA-06",
		Regions: []string{"MA-04", "MA-05", "MA-06", "MA-07"}, Genders: []string{"female"},
		AcceptsAdults: true, AcceptsDependants: true, Languages: []string{"ar", "en", "fr"},
		Availability: referral.Always, Active: true,
		Services: []referral.ServicePlaces{
			{Service: "shelter", Places: 12}, {Service: "medical", Places: 6}, {Service: "mental_health", Places: 6},
			{Service: "legal_aid", Places: 10}, {Service: "interpretation", Places: 8},
			{Service: "return_reintegration", Places: 5}, {Service: "vocational_training", Places: 10},
			{Service: "employment", Places: 8},
		},
	},
	"ngo-child": {
		Name: "Demo: Child protection association", Region: "MA-01", Regions: []string{referral.National},
		AcceptsChildren: true, AcceptsDependants: true, Languages: []string{"ar", "en", "es", "fr"},
		Availability: referral.Always, Active: true,
		Services: []referral.ServicePlaces{
			{Service: "child_protection", Places: 15}, {Service: "shelter", Places: 8}, {Service: "medical", Places: 4},
			{Service: "mental_health", Places: 6}, {Service: "legal_aid", Places: 6}, {Service: "interpretation", Places: 4},
			{Service: "return_reintegration", Places: 4}, {Service: "vocational_training", Places: 6},
		},
	},
}

// seedDemoDirectory puts the demo providers in the directory, once: an
// entry that exists (perhaps changed by hand since) is left as it is.
func seedDemoDirectory(ctx context.Context, ids identity.Service, refs referral.Service) error {
	if refs == nil {
		return nil
	}
	ctx = auth.WithPrincipal(ctx, auth.System())
	orgs, err := ids.ListOrgs(ctx)
	if err != nil {
		return err
	}
	byName := map[string]identity.Org{}
	for _, o := range orgs {
		byName[o.Name] = o
	}
	for _, d := range demoOrgs {
		in, ok := demoDirectory[d.key]
		org, found := byName[d.org.Name]
		if !ok || !found {
			continue
		}
		_, err := refs.GetProvider(ctx, org.ID)
		if err == nil {
			continue
		}
		if !errors.Is(err, kit.ErrNotFound) {
			return fmt.Errorf("provider %s: %w", d.key, err)
		}
		if _, err := refs.PutProvider(ctx, org.ID, in); err != nil {
			return fmt.Errorf("provider %s: %w", d.key, err)
		}
	}
	return nil
}
