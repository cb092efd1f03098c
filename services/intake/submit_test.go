package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestSubmitWithoutSections: a case registered with attributes only still
// reaches the competent authority's queue and can be decided.
func TestSubmitWithoutSections(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, authority := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority)
		r := intaketest.Registration("")
		r.Identity, r.Narrative, r.Health, r.Legal = nil, nil, nil, nil
		c := env.Register(t, police, r)
		if _, err := env.Service.Submit(intaketest.Officer(police), c.ID); err != nil {
			t.Fatal(err)
		}
		dm := intaketest.As(authority, "decision_maker")
		q, err := env.Service.DecisionQueue(dm)
		if err != nil || len(q) != 1 || q[0].CaseID != c.ID || q[0].Due == "" {
			t.Fatalf("queue %+v, %v: want the case with its due date", q, err)
		}
		if _, err := env.Service.Transition(dm, c.ID, intake.TransitionRequest{To: intake.DecisionRGPositive, Reason: "indicators"}); err != nil {
			t.Fatal(err)
		}
	})
}
