package main

import (
	"encoding/json"
	"testing"
)

// listShelter lists the organisation of the caseworker signed in as
// shelter in the provider directory (as the system admin admin), with
// places shelter places for adult women and their dependants in MA-06,
// and returns its id.
func listShelter(t *testing.T, base, admin, shelter string, places int) string {
	t.Helper()
	_, b := call(t, "GET", base+"/api/v1/me", shelter, nil)
	var me struct {
		OrgID string `json:"org_id"`
	}
	if err := json.Unmarshal(b, &me); err != nil || me.OrgID == "" {
		t.Fatalf("me: %s", b)
	}
	if st, b := call(t, "PUT", base+"/api/v1/providers/"+me.OrgID, admin, map[string]any{
		"name": "Demo shelter", "region": "MA-06", "regions": []string{"MA-06"}, "genders": []string{"female"},
		"accepts_adults": true, "accepts_dependants": true, "languages": []string{"en", "fr", "ar"},
		"availability": "24/7", "active": true, "services": []map[string]any{{"service": "shelter", "places": places}},
	}); st != 200 {
		t.Fatalf("provider directory: %d %s", st, b)
	}
	return me.OrgID
}
