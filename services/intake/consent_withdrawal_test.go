package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// An adult who withdraws consent to the NRM leaves the decision track
// (withdrawn) and keeps support; a child stays in it.
func TestWithdrawingNRMConsent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		officer := intaketest.Officer(police)
		for _, tc := range []struct {
			name, ageGroup, wantDecision string
		}{
			{"adult", "adult", intake.DecisionWithdrawn},
			{"child", "child", intake.DecisionIdentified},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := intaketest.Registration("Consent " + tc.name)
				r.AgeGroup = tc.ageGroup
				c := env.Register(t, police, r)
				if _, err := env.Service.RecordConsent(officer, c.ID, intake.ConsentInput{Assistance: true, NRMReferral: false, DataSharing: true}); err != nil {
					t.Fatal(err)
				}
				w, err := env.Service.Workflow(officer, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if w.DecisionState != tc.wantDecision || w.SupportState != intake.SupportOpen {
					t.Fatalf("after withdrawing NRM consent: decision %s, support %s; want %s, open", w.DecisionState, w.SupportState, tc.wantDecision)
				}
			})
		}
	})
}
