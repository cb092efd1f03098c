package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// With --demo, routing finds candidates out of the box: every service the
// demo offers has a provider with places, and a shelter referral for the
// demo's first case ranks a named provider.
func TestDemoProvidersRouteOutOfTheBox(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data"), "--demo")
	creds := demoCredentials(t, s.stdout.String())
	officer := login(t, s.base, creds["officer@police.demo"])

	for _, svc := range []string{"shelter", "medical", "mental_health", "legal_aid", "interpretation",
		"return_reintegration", "vocational_training", "employment", "child_protection"} {
		t.Run(svc, func(t *testing.T) {
			st, b := call(t, "GET", s.base+"/api/v1/providers?service="+svc, officer, nil)
			var list struct {
				Providers []struct {
					Name     string `json:"name"`
					Services []struct {
						Service string `json:"service"`
						Places  int    `json:"places"`
					} `json:"services"`
				} `json:"providers"`
			}
			if st != 200 || json.Unmarshal(b, &list) != nil {
				t.Fatalf("providers: %d %s", st, b)
			}
			places := 0
			for _, p := range list.Providers {
				for _, x := range p.Services {
					if x.Service == svc {
						places += x.Places
					}
				}
			}
			if places == 0 {
				t.Fatalf("no demo provider has places for %s: %s", svc, b)
			}
		})
	}

	st, b := call(t, "POST", s.base+"/api/v1/cases", officer, minimalRegistration("dem0prov"))
	if st != 201 {
		t.Fatalf("register: %d %s", st, b)
	}
	var c struct{ ID string }
	_ = json.Unmarshal(b, &c)
	st, b = call(t, "GET", s.base+"/api/v1/referrals/route?service=shelter&urgency=emergency&case_id="+c.ID, officer, nil)
	var route struct {
		Candidates []struct {
			Name string `json:"name"`
			Rank int    `json:"rank"`
		} `json:"candidates"`
	}
	if st != 200 || json.Unmarshal(b, &route) != nil {
		t.Fatalf("route: %d %s", st, b)
	}
	if len(route.Candidates) == 0 || route.Candidates[0].Rank != 1 || route.Candidates[0].Name == "" {
		t.Fatalf("no named candidate for a shelter place: %s", b)
	}
	st, b = call(t, "POST", s.base+"/api/v1/referrals", officer, map[string]any{
		"case_id": c.ID, "service": "shelter", "urgency": "emergency"})
	if st != 201 {
		t.Fatalf("a referral without naming candidates: %d %s", st, b)
	}
}
