package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestProceedEarlyRestsOnThePersonsRequest replays the early-decision
// attack: decision makers cutting the reflection period short on their own
// flag. An early conclusive decision is an adult's positive one, resting on
// a recorded request of the person; the record and the letter say so.
func TestProceedEarlyRestsOnThePersonsRequest(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		clock := &fixedClock{t: time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)}
		env := intaketest.New(t, e, func(c *intake.Config) { c.Now = clock.Now })
		police, authority := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority)
		officer := intaketest.Officer(police)
		dm1, dm2 := intaketest.As(authority, auth.RoleDecisionMaker), intaketest.As(authority, auth.RoleDecisionMaker)
		outsider := intaketest.Officer(env.Org("police"))
		// reflecting registers, submits and decides RG positive on a case;
		// the clock then moves a day on, well inside the reflection period.
		reflecting := func(t *testing.T, ageGroup string) string {
			t.Helper()
			clock.t = clock.t.Add(72 * time.Hour)
			r := intaketest.Registration("Early Person")
			r.IdentifiedOn, r.AgeGroup = clock.t.AddDate(0, 0, -1).Format(time.DateOnly), ageGroup
			c := env.Register(t, police, r)
			for _, st := range []struct {
				ctx context.Context
				to  string
			}{{officer, intake.DecisionSubmitted}, {dm1, intake.DecisionRGPositive}} {
				if _, err := env.Service.Transition(st.ctx, c.ID, intake.TransitionRequest{To: st.to, Reason: "grounds"}); err != nil {
					t.Fatalf("%s: %v", st.to, err)
				}
			}
			clock.t = clock.t.Add(24 * time.Hour)
			return c.ID
		}
		request := func(t *testing.T, ctx context.Context, caseID string) (string, error) {
			t.Helper()
			en, err := env.Service.AddEntry(ctx, caseID, intake.EntryInput{Type: intake.EntryProceedEarly,
				Content: json.RawMessage(`{"asked_on":"` + clock.t.Format(time.DateOnly) + `","how":"in person, with an interpreter"}`)})
			return en.ID, err
		}
		early := func(ctx context.Context, caseID, to string) error {
			_, err := env.Service.Transition(ctx, caseID, intake.TransitionRequest{To: to, Reason: "decided early", ProceedEarly: true})
			return err
		}
		wantCode := func(t *testing.T, err error, code string) {
			t.Helper()
			if err == nil || kit.AsError(err).Code != code {
				t.Fatalf("error %v, want %s", err, code)
			}
		}

		t.Run("negative conclusive decision on the decision makers' flag", func(t *testing.T) {
			id := reflecting(t, "adult")
			wantCode(t, early(dm1, id, intake.DecisionCGNegative), intake.CodeEarlyNotAllowed)
			wantCode(t, early(dm2, id, intake.DecisionCGNegative), intake.CodeEarlyNotAllowed)
			w, err := env.Service.Workflow(dm1, id)
			if err != nil || w.DecisionState != intake.DecisionRGPositive || w.PendingProposal != "" {
				t.Fatalf("workflow %+v, %v: want rg_positive, nothing proposed", w, err)
			}
		})
		t.Run("negative even on the person's request", func(t *testing.T) {
			id := reflecting(t, "adult")
			if _, err := request(t, officer, id); err != nil {
				t.Fatal(err)
			}
			wantCode(t, early(dm1, id, intake.DecisionCGNegative), intake.CodeEarlyNotAllowed)
		})
		t.Run("positive without a recorded request", func(t *testing.T) {
			id := reflecting(t, "adult")
			wantCode(t, early(dm1, id, intake.DecisionCGPositive), intake.CodeEarlyRequestMissing)
		})
		t.Run("a child's period is never shortened", func(t *testing.T) {
			id := reflecting(t, "child")
			if _, err := request(t, officer, id); err != nil {
				t.Fatal(err)
			}
			wantCode(t, early(dm1, id, intake.DecisionCGPositive), intake.CodeEarlyNotAllowed)
			w, err := env.Service.Workflow(dm1, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range w.NotYet {
				if m.EarlyOnRequest {
					t.Fatalf("a child's workflow offers %s early", m.To)
				}
			}
		})
		t.Run("only the owner or the authority records the request", func(t *testing.T) {
			id := reflecting(t, "adult")
			if _, err := request(t, outsider, id); !errors.Is(err, intake.ErrNotFound) && !errors.Is(err, kit.ErrForbidden) {
				t.Fatalf("an outsider recorded a request: %v", err)
			}
		})
		t.Run("an adult's positive decision on their recorded request", func(t *testing.T) {
			id := reflecting(t, "adult")
			reqID, err := request(t, dm2, id)
			if err != nil {
				t.Fatal(err)
			}
			if err := early(dm1, id, intake.DecisionCGPositive); err != nil {
				t.Fatal(err)
			}
			w, err := env.Service.Workflow(dm1, id)
			if err != nil {
				t.Fatal(err)
			}
			last := w.History[len(w.History)-1]
			if last.To != intake.DecisionCGPositive || last.EarlyRequestID != reqID {
				t.Fatalf("decision record %+v: want cg_positive resting on request %s", last, reqID)
			}
			entries, err := env.Service.Entries(officer, id)
			if err != nil {
				t.Fatal(err)
			}
			var text string
			for _, en := range entries {
				var l struct{ Decision, Text string }
				if en.Type == "decision_letter" && json.Unmarshal(en.Content, &l) == nil && l.Decision == intake.DecisionCGPositive {
					text = l.Text
				}
			}
			if !strings.Contains(text, "At your request") || !strings.Contains(text, "decided early") {
				t.Fatalf("letter does not state the early request and reasons:\n%s", text)
			}
		})
	})
}
