package intake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// A submitted case past its reasonable-grounds target is reported to
// statistics once, as a de-identified "overdue" fact.
func TestOverdueDecisionsReportedOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		env.Org("competent_authority")
		officer := intaketest.Officer(police)
		c := env.Register(t, police, intaketest.Registration("Overdue Case"))
		if _, err := env.Service.Transition(officer, c.ID, intake.TransitionRequest{To: intake.DecisionSubmitted}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if n, err := env.Admin.ReportOverdue(ctx, env.Clock.Now()); err != nil || n != 0 {
			t.Fatalf("on the day of submission: %d reported, err %v", n, err)
		}
		later := env.Clock.Now().AddDate(0, 0, 30)
		if n, err := env.Admin.ReportOverdue(ctx, later); err != nil || n != 1 {
			t.Fatalf("a month later: %d reported, err %v; want 1", n, err)
		}
		if n, err := env.Admin.ReportOverdue(ctx, later.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("second run: %d reported, err %v; want 0", n, err)
		}
		rows, err := env.DB.QueryContext(ctx, `SELECT payload FROM outbox WHERE topic = 'stats'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		overdue := 0
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(p, `"type":"overdue"`) {
				overdue++
				if strings.Contains(p, c.ID) {
					t.Fatalf("overdue fact carries the case id: %s", p)
				}
			}
		}
		if overdue != 1 {
			t.Fatalf("%d overdue facts in the outbox, want 1", overdue)
		}
	})
}
