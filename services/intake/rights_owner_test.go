package intake_test

import (
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestAccessReportForTheOwner: the owner organisation's officers read the
// person's access report to hand it over; another organisation's officer,
// a caseworker and a guardian are told the case does not exist, and each
// refusal is audited.
func TestAccessReportForTheOwner(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		log := &outboxAccessLog{t: t}
		env := intaketest.New(t, e, func(c *intake.Config) { c.AccessLog = log })
		log.env = env
		police, other, ngo := env.Org("police"), env.Org("police"), env.Org("ngo")
		c := env.Register(t, police, intaketest.Registration("Reported Person"))
		rep, err := env.Service.AccessReport(intaketest.Officer(police), c.ID, "ar")
		if err != nil {
			t.Fatalf("the owner's officer: %v", err)
		}
		if rep.CaseID != c.ID || rep.Language != "ar" || rep.Title != "من اطلع على ملفك" {
			t.Fatalf("report %+v", rep)
		}
		for name, ctx := range map[string]struct {
			org  intake.OrgInfo
			role string
		}{
			"another organisation's officer": {other, auth.RoleFrontlineOfficer},
			"a caseworker":                   {ngo, auth.RoleNGOCaseworker},
			"a guardian":                     {ngo, auth.RoleGuardian},
			"a decision maker of the owner":  {police, auth.RoleDecisionMaker},
		} {
			_, err := env.Service.AccessReport(intaketest.As(ctx.org, ctx.role), c.ID, "")
			wantErr(t, err, intake.ErrNotFound)
			ev, ok := lastAudit(t, env, "intake.access_report.read", c.ID)
			if !ok || ev.Outcome != event.Denied || ev.ActorOrg != ctx.org.ID {
				t.Fatalf("%s: refusal not audited: %+v", name, ev)
			}
		}
	})
}
