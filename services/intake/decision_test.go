package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// fixedClock is a clock the test moves by hand.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func TestDecisionTrack(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		clock := &fixedClock{t: time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)} // Thursday; Fri 6 Nov is a holiday
		env := intaketest.New(t, e, func(c *intake.Config) { c.Now = clock.Now })
		police, authority := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority)
		r := intaketest.Registration("Decision Person")
		r.IdentifiedOn = "2026-11-04"
		c := env.Register(t, police, r)
		officer := intaketest.Officer(police)
		dm1, dm2 := intaketest.As(authority, auth.RoleDecisionMaker), intaketest.As(authority, auth.RoleDecisionMaker)
		move := func(ctx context.Context, to string, early bool) (intake.Workflow, error) {
			return env.Service.Transition(ctx, c.ID, intake.TransitionRequest{To: to, Reason: "reason for " + to, ReasonCode: "code_" + to, ProceedEarly: early})
		}
		steps := []struct {
			name  string
			ctx   context.Context
			to    string
			early bool
			want  error
			state string
		}{
			{"authority cannot see before submission", dm1, intake.DecisionRGPositive, false, intake.ErrNotFound, ""},
			{"decision before submission", officer, intake.DecisionRGPositive, false, intake.ErrInvalidState, ""},
			{"submit", officer, intake.DecisionSubmitted, false, nil, intake.DecisionSubmitted},
			{"officer cannot decide", officer, intake.DecisionRGPositive, false, intake.ErrInvalidState, ""},
			{"request information", dm1, intake.DecisionInfoRequested, false, nil, intake.DecisionInfoRequested},
			{"answer", officer, intake.DecisionSubmitted, false, nil, intake.DecisionSubmitted},
			{"negative proposed", dm1, intake.DecisionRGNegative, false, nil, intake.DecisionSubmitted},
			{"same decision maker confirms", dm1, intake.DecisionRGNegative, false, intake.ErrSecondDecisionMaker, ""},
			{"second decision maker confirms", dm2, intake.DecisionRGNegative, false, nil, intake.DecisionRGNegative},
			{"reconsideration", dm2, intake.DecisionSubmitted, false, nil, intake.DecisionSubmitted},
			{"positive", dm1, intake.DecisionRGPositive, false, nil, intake.DecisionRGPositive},
			{"conclusive during reflection", dm1, intake.DecisionCGPositive, false, intake.ErrReflectionPeriod, ""},
			{"person asks to proceed", dm1, intake.DecisionCGPositive, true, nil, intake.DecisionCGPositive},
			{"withdraw after conclusion", officer, intake.DecisionWithdrawn, false, intake.ErrInvalidState, ""},
		}
		for _, st := range steps {
			if st.early {
				if _, err := env.Service.AddEntry(officer, c.ID, intake.EntryInput{Type: intake.EntryProceedEarly,
					Content: json.RawMessage(`{"asked_on":"2026-11-05"}`)}); err != nil {
					t.Fatalf("%s: record the request: %v", st.name, err)
				}
			}
			w, err := move(st.ctx, st.to, st.early)
			if !errors.Is(err, st.want) {
				t.Fatalf("%s: error %v, want %v", st.name, err, st.want)
			}
			if err == nil && w.DecisionState != st.state {
				t.Fatalf("%s: state %s, want %s", st.name, w.DecisionState, st.state)
			}
			if st.name == "submit" && w.RGDue != "2026-11-13" {
				t.Fatalf("RG due %s, want 2026-11-13 (5 working days, 6 Nov and weekend skipped)", w.RGDue)
			}
			if st.name == "negative proposed" && w.PendingProposal != intake.DecisionRGNegative {
				t.Fatalf("no pending proposal: %+v", w)
			}
		}
		w, err := env.Service.Workflow(dm1, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var confirmed intake.DecisionRecord
		for _, d := range w.History {
			if d.To == intake.DecisionRGNegative {
				confirmed = d
			}
		}
		if confirmed.ProposedBy == "" || confirmed.ProposedBy == confirmed.DecidedBy {
			t.Fatalf("negative decision record %+v: proposer and confirmer must differ", confirmed)
		}
		entries, err := env.Service.Entries(officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		letters := 0
		for _, en := range entries {
			if en.Type == "decision_letter" && len(en.Content) > 0 {
				letters++
			}
		}
		if letters != 3 {
			t.Fatalf("%d readable decision letters, want 3 (rg_negative, rg_positive, cg_positive)", letters)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM outbox WHERE payload LIKE '%reason for%'`); n != 0 {
			t.Fatalf("a reason in clear in the outbox (%d)", n)
		}
	})
}

func TestChildNeedsBestInterests(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		ngo, guardianOrg, otherNGO := env.Org("ngo"), env.Org("ngo"), env.Org("ngo")
		r := intaketest.Registration("Child Person")
		r.AgeGroup, r.Consent = "unknown", intake.ConsentInput{Assistance: true}
		c := env.Register(t, ngo, r)
		other := env.Register(t, otherNGO, intaketest.Registration("Someone Else"))
		recorder, approver := intaketest.As(ngo, auth.RoleNGOCaseworker), intaketest.As(ngo, auth.RoleNGOCaseworker)
		for _, action := range []string{intake.ActionReturn, intake.ActionFamilyTracing, intake.ActionFamilyReunification} {
			_, err := env.Service.SupportTransition(recorder, c.ID, intake.TransitionRequest{To: action})
			wantErr(t, err, intake.ErrBestInterests)
		}
		w, err := env.Service.Workflow(recorder, c.ID)
		if err != nil || !w.TreatedAsChild || !w.NeedsChildProtectionReferral {
			t.Fatalf("workflow %+v, %v: want a child needing a child-protection referral", w, err)
		}
		if _, err := env.Service.AddEntry(recorder, c.ID, intake.EntryInput{Type: intake.EntryBestInterests, Content: json.RawMessage(`{"summary":"assessed"}`)}); err != nil {
			t.Fatal(err)
		}
		_, err = env.Service.SupportTransition(recorder, c.ID, intake.TransitionRequest{To: intake.ActionApproveBestInterest})
		wantErr(t, err, intake.ErrSecondDecisionMaker)
		_, err = env.Service.SupportTransition(recorder, c.ID, intake.TransitionRequest{To: intake.ActionFamilyTracing})
		wantErr(t, err, intake.ErrBestInterests)
		if _, err := env.Service.SupportTransition(approver, c.ID, intake.TransitionRequest{To: intake.ActionApproveBestInterest}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.SupportTransition(recorder, c.ID, intake.TransitionRequest{To: intake.ActionFamilyTracing}); err != nil {
			t.Fatalf("tracing after approval: %v", err)
		}
		// The guardian's organisation sees the child's case record and
		// nothing of another case.
		env.Orgs.OfferChildProtection(guardianOrg)
		if _, err := env.Service.AppointGuardian(recorder, c.ID, intake.GuardianInput{UserID: env.Orgs.AddGuardian(guardianOrg), OrgID: guardianOrg.ID}); err != nil {
			t.Fatal(err)
		}
		// Statistics learn the appointment and how many days after
		// identification it came, nothing more.
		appointed := 0
		for _, p := range outboxPayloads(t, env, intake.TopicStats) {
			var f facts.Event
			if err := json.Unmarshal([]byte(p), &f); err == nil && f.Type == facts.GuardianAppointed {
				if f.DaysTaken == nil || *f.DaysTaken < 0 || f.CaseKey == "" || f.CaseKey == c.ID {
					t.Errorf("guardian fact: %s", p)
				}
				appointed++
			}
		}
		if appointed != 1 {
			t.Errorf("%d guardian_appointed facts, want 1", appointed)
		}
		g := intaketest.As(guardianOrg, auth.RoleGuardian)
		gw, err := env.Service.Workflow(g, c.ID)
		if err != nil || len(gw.History) == 0 {
			t.Fatalf("guardian workflow %+v, %v", gw, err)
		}
		ge, err := env.Service.Entries(g, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range ge {
			if en.Type == intake.EntryBestInterests && len(en.Content) == 0 {
				t.Fatal("the guardian cannot read the best-interests assessment")
			}
		}
		_, err = env.Service.Workflow(g, other.ID)
		wantErr(t, err, intake.ErrNotFound)
		_, err = env.Service.Entries(g, other.ID)
		wantErr(t, err, intake.ErrNotFound)
	})
}

func TestCorrectionsKeepHistory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		ngo, other := env.Org("ngo"), env.Org("ngo")
		c := env.Register(t, ngo, intaketest.Registration("Record Person"))
		ctx := intaketest.As(ngo, auth.RoleNGOCaseworker)
		first, err := env.Service.AddEntry(ctx, c.ID, intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"Canary-note-1"}`)})
		if err != nil {
			t.Fatal(err)
		}
		fix, err := env.Service.AddEntry(ctx, c.ID, intake.EntryInput{Type: intake.EntryCorrection, Supersedes: first.ID, Content: json.RawMessage(`{"text":"Canary-note-2"}`)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := env.Service.Entries(ctx, c.ID)
		if err != nil || len(got) != 2 {
			t.Fatalf("entries %+v, %v", got, err)
		}
		if got[0].ID != first.ID || got[0].SupersededBy != fix.ID || string(got[0].Content) != `{"text":"Canary-note-1"}` {
			t.Fatalf("superseded entry not kept readable: %+v", got[0])
		}
		if n := count(t, env, `SELECT COUNT(*) FROM entries WHERE CAST(sealed AS TEXT) LIKE '%Canary-note%'`); n != 0 {
			t.Fatal("an entry stored in clear")
		}
		_, err = env.Service.Entries(intaketest.As(other, auth.RoleNGOCaseworker), c.ID)
		wantErr(t, err, intake.ErrNotFound)
		for _, q := range []string{`UPDATE entries SET type = 'note' WHERE id = $1`, `DELETE FROM entries WHERE id = $1`} {
			if _, err := env.DB.ExecContext(context.Background(), q, first.ID); err == nil {
				t.Fatalf("the database accepted %q", q)
			}
		}
	})
}
