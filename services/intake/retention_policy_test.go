package intake_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestPurgeHonoursDeploymentRetention: a deployment that keeps support
// records two years after closure (not the shipped five) has them purged
// by the same administration the scheduler and `nrm cases purge` use.
func TestPurgeHonoursDeploymentRetention(t *testing.T) {
	raw, err := os.ReadFile("../../policies/workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	short := strings.Replace(string(raw), `"support_years_after_closure": 5`, `"support_years_after_closure": 2`, 1)
	if short == string(raw) {
		t.Fatal("the shipped policy no longer keeps support records five years")
	}
	pol, err := intake.ParseWorkflowPolicy([]byte(short))
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		clock := &fixedClock{t: time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)}
		env := intaketest.New(t, e, func(c *intake.Config) { c.Now, c.Workflow = clock.Now, pol })
		police, authority := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority)
		officer, dm := intaketest.Officer(police), intaketest.As(authority, auth.RoleDecisionMaker)
		r := intaketest.Registration("Short Retention")
		r.IdentifiedOn = "2026-11-04"
		c := env.Register(t, police, r)
		for _, st := range []struct {
			ctx context.Context
			to  string
		}{{officer, intake.DecisionSubmitted}, {dm, intake.DecisionRGPositive}} {
			if _, err := env.Service.Transition(st.ctx, c.ID, intake.TransitionRequest{To: st.to, Reason: "because"}); err != nil {
				t.Fatal(err)
			}
		}
		note(t, env, officer, c.ID, "support note")
		if _, err := env.Service.SupportTransition(officer, c.ID, intake.TransitionRequest{To: intake.SupportClosed}); err != nil {
			t.Fatal(err)
		}
		for _, st := range []struct {
			name string
			at   time.Time
			want int
		}{
			{"within two years", clock.t.AddDate(1, 11, 0), 0},
			{"after two years", clock.t.AddDate(2, 1, 0), 1},
		} {
			rep, err := env.Admin.Purge(context.Background(), st.at)
			if err != nil || rep.Cases != st.want {
				t.Fatalf("%s: purge %+v, %v; want %d case(s) purged", st.name, rep, err, st.want)
			}
		}
	})
}
