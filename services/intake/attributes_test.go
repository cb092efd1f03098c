package intake_test

import (
	"encoding/json"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestProtectionAttributes: an unaccompanied child and an international-
// protection status are coded attributes, validated, stored, returned on
// reads and carried to statistics by the registration fact.
func TestProtectionAttributes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		ngo := env.Org("ngo")
		r := intaketest.Registration("Unaccompanied Child")
		r.AgeGroup, r.Unaccompanied, r.ProtectionStatus = "child", true, "asylum_seeker"
		c := env.Register(t, ngo, r)
		got, err := env.Service.Get(intaketest.Officer(ngo), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Unaccompanied || got.ProtectionStatus != "asylum_seeker" {
			t.Fatalf("read back unaccompanied %v, protection status %q", got.Unaccompanied, got.ProtectionStatus)
		}
		var fact facts.Event
		for _, p := range outboxPayloads(t, env, facts.Topic) {
			var f facts.Event
			if err := json.Unmarshal([]byte(p), &f); err == nil && f.Type == facts.Registered {
				fact = f
			}
		}
		if !fact.Unaccompanied || fact.ProtectionStatus != "asylum_seeker" {
			t.Fatalf("registration fact %+v lacks the attributes", fact)
		}

		bad := []struct {
			name, path string
			edit       func(r *intake.Registration)
		}{
			{"unaccompanied adult", "unaccompanied", func(r *intake.Registration) { r.Unaccompanied = true }},
			{"unknown protection status", "protection_status", func(r *intake.Registration) { r.ProtectionStatus = "refugee_status_granted" }},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				r := intaketest.Registration("Bad Attribute")
				tc.edit(&r)
				_, err := env.Service.Register(intaketest.Officer(ngo), r)
				e := kit.AsError(err)
				if e.Code != kit.CodeValidation || len(e.Fields) != 1 || e.Fields[0].Path != tc.path {
					t.Fatalf("error %v fields %+v, want validation naming %s", err, e.Fields, tc.path)
				}
			})
		}
	})
}
