package intake_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// registrationDoc is a valid registration as a generic JSON object, for
// requests a Go client could not build.
func registrationDoc(t *testing.T) doc {
	t.Helper()
	b, err := json.Marshal(intaketest.Registration("Error Person"))
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRegistrationNamesEveryFailingField: one answer lists every failing
// field with its JSON path, so the form can mark them all at once.
func TestRegistrationNamesEveryFailingField(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
	cases := []struct {
		name   string
		change func(d doc)
		code   string
		paths  []string
	}{
		{"several fields", func(d doc) {
			delete(d, "region")
			d["gender"] = "f"
			d["nationalities"] = []string{"NG", "Nigeria"}
			d["identity"].(doc)["full_name"] = strings.Repeat("n", 201)
			d["consent"].(doc)["explained_in"] = "english"
		}, "validation_failed", []string{"region", "gender", "nationalities[1]", "identity.full_name", "consent.explained_in"}},
		{"unknown nested field", func(d doc) { d["identity"].(doc)["nmae"] = "x" }, "unknown_field", []string{"identity.nmae"}},
		{"wrong type", func(d doc) { d["consent"].(doc)["assistance"] = "yes" }, "invalid_type", []string{"consent.assistance"}},
		{"missing consent", func(d doc) { d["consent"].(doc)["nrm_referral"] = false }, "consent_required", []string{"consent.nrm_referral"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := registrationDoc(t)
			tc.change(d)
			status, out := w.call(t, officer, "POST", "/api/v1/cases", d)
			if errCode(out) != tc.code || status/100 != 4 {
				t.Fatalf("%d %v, want %s", status, out, tc.code)
			}
			got := map[string]bool{}
			for _, f := range asList(out["error"].(doc)["fields"]) {
				got[f.(doc)["path"].(string)] = true
			}
			for _, p := range tc.paths {
				if !got[p] {
					t.Errorf("field %s not named; fields %v", p, out["error"].(doc)["fields"])
				}
			}
			if len(got) != len(tc.paths) {
				t.Errorf("fields %v, want exactly %v", out["error"].(doc)["fields"], tc.paths)
			}
			if strings.Contains(out["error"].(doc)["message"].(string), "Nigeria") {
				t.Error("the message echoes a value")
			}
		})
	}
}

// Grants and record entries name every failing field at once too, each
// by its JSON path.
func TestGrantAndEntryNameEveryFailingField(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
	c := w.env.Register(t, w.owner, intaketest.Registration("Every Field"))
	cases := []struct {
		name, path string
		body       doc
		paths      []string
	}{
		{"grant", "/grants", doc{"org_id": w.grantee.ID, "purpose": "gossip", "service": "spa", "sections": []string{"narrative", "diary"}},
			[]string{"purpose", "service", "sections[1]"}},
		{"entry", "/entries", doc{"type": "diary", "supersedes": "not-an-id", "content": doc{"text": "x"}},
			[]string{"type", "supersedes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, out := w.call(t, officer, "POST", "/api/v1/cases/"+c.ID+tc.path, tc.body)
			if status != 400 || errCode(out) != "validation_failed" {
				t.Fatalf("%d %v, want 400 validation_failed", status, out)
			}
			got := map[string]bool{}
			for _, f := range asList(out["error"].(doc)["fields"]) {
				got[f.(doc)["path"].(string)] = true
			}
			for _, p := range tc.paths {
				if !got[p] {
					t.Errorf("field %s not named; fields %v", p, out["error"].(doc)["fields"])
				}
			}
			if len(got) != len(tc.paths) {
				t.Errorf("fields %v, want exactly %v", out["error"].(doc)["fields"], tc.paths)
			}
		})
	}
}
