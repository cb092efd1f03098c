package intake_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// outboxNotices returns the notices in intake's outbox, in order written.
func outboxNotices(t testing.TB, env *intaketest.Env) []notice.Notice {
	t.Helper()
	rows, err := env.DB.QueryContext(context.Background(), `SELECT payload FROM outbox WHERE topic = $1 ORDER BY created_at, id`, notice.Topic)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []notice.Notice
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		var n notice.Notice
		if err := json.Unmarshal([]byte(p), &n); err != nil {
			t.Fatal(err)
		}
		if err := n.Validate(); err != nil {
			t.Fatalf("invalid notice in the outbox: %v", err)
		}
		out = append(out, n)
	}
	return out
}

// addressedTo keeps the notices of kind whose recipient is exactly (org, role, user).
func addressedTo(ns []notice.Notice, kind, org, role, user string) []notice.Notice {
	var out []notice.Notice
	for _, n := range ns {
		if n.Kind == kind && n.Org == org && n.Role == role && n.User == user {
			out = append(out, n)
		}
	}
	return out
}

func kindsOf(ns []notice.Notice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind+"/"+n.Detail)
	}
	return out
}

// A child's guardian is told of the appointment and of every change to the
// child's case made by others; a replaced guardian is told so; an adult's
// case with no guardian tells no one.
func TestGuardianIsToldOfEveryChange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		ngo, guardianOrg, otherOrg := env.Org("ngo"), env.Org("ngo"), env.Org("ngo")
		r := intaketest.Registration("Child Notice")
		r.AgeGroup, r.Consent = "unknown", intake.ConsentInput{Assistance: true}
		c := env.Register(t, ngo, r)
		adult := env.Register(t, ngo, intaketest.Registration("Adult Notice"))
		owner := intaketest.As(ngo, auth.RoleNGOCaseworker)
		if _, err := env.Service.AddEntry(owner, adult.ID, intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"n"}`)}); err != nil {
			t.Fatal(err)
		}
		if ns := outboxNotices(t, env); len(ns) != 0 {
			t.Fatalf("notices before any guardian: %v", kindsOf(ns))
		}
		env.Orgs.OfferChildProtection(guardianOrg)
		env.Orgs.OfferChildProtection(otherOrg)
		guardian := env.Orgs.AddGuardian(guardianOrg)
		if _, err := env.Service.AppointGuardian(owner, c.ID, intake.GuardianInput{UserID: guardian, OrgID: guardianOrg.ID}); err != nil {
			t.Fatal(err)
		}
		var grantID string
		steps := []struct {
			name   string
			do     func() error
			detail string // "" when no notice is expected
		}{
			{"note", func() error {
				_, err := env.Service.AddEntry(owner, c.ID, intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"n"}`)})
				return err
			}, "entry.create"},
			{"missing", func() error {
				_, err := env.Service.SupportTransition(owner, c.ID, intake.TransitionRequest{To: intake.SupportSuspended})
				return err
			}, "support.suspended"},
			{"found", func() error {
				_, err := env.Service.SupportTransition(owner, c.ID, intake.TransitionRequest{To: intake.SupportOpen})
				return err
			}, "support.open"},
			{"referral grant", func() error {
				g, err := env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: otherOrg.ID,
					Sections: []string{intake.SectionNarrative}, Purpose: "referral"})
				grantID = g.ID
				return err
			}, "grant.create"},
			{"grant accepted", func() error {
				_, err := env.Service.ActivateGrant(intaketest.As(otherOrg, auth.RoleNGOCaseworker), c.ID, grantID)
				return err
			}, "grant.activate"},
			{"grant revoked", func() error { return env.Service.RevokeGrant(owner, c.ID, grantID) }, "grant.revoke"},
			{"legal hold", func() error {
				_, err := env.Service.PlaceLegalHold(intaketest.As(env.Org("police"), auth.RoleAuditor), c.ID,
					intake.LegalHoldInput{ReasonCode: "litigation"})
				return err
			}, "legal_hold.place"},
			{"legal hold released", func() error {
				_, err := env.Service.ReleaseLegalHold(intaketest.As(env.Org("police"), auth.RoleAuditor), c.ID,
					intake.LegalHoldInput{ReasonCode: "litigation_over"})
				return err
			}, "legal_hold.release"},
			{"duplicate confirmed", func() error {
				later := env.Register(t, ngo, r)
				d := findDuplicate(t, env, later.ID, c.ID)
				_, err := env.Service.ConfirmDuplicate(intaketest.As(env.Org("commission"), auth.RoleCoordinator), d.ID, true)
				return err
			}, "duplicate.confirm"},
			{"export", func() error {
				_, err := env.Intake.Packages.BuildPackage(owner, c.ID, intake.PackageSpec{Sections: []string{intake.SectionNarrative},
					Recipient: recipient(t)})
				return err
			}, "case.export"},
			{"the adult's case changes", func() error {
				_, err := env.Service.AddEntry(owner, adult.ID, intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"n"}`)})
				return err
			}, ""},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				before := len(addressedTo(outboxNotices(t, env), notice.KindCaseChanged, guardianOrg.ID, "", guardian))
				if err := st.do(); err != nil {
					t.Fatal(err)
				}
				got := addressedTo(outboxNotices(t, env), notice.KindCaseChanged, guardianOrg.ID, "", guardian)
				if st.detail == "" {
					if len(got) != before {
						t.Fatalf("the guardian was told of another case: %v", kindsOf(got))
					}
					return
				}
				if len(got) != before+1 || got[len(got)-1].Detail != st.detail || got[len(got)-1].ObjectID != c.ID {
					t.Fatalf("guardian notices %v, want one more %s about %s", kindsOf(got), st.detail, c.ID)
				}
			})
		}
		ns := outboxNotices(t, env)
		if a := addressedTo(ns, notice.KindGuardianAppointed, guardianOrg.ID, "", guardian); len(a) != 1 || a[0].ObjectID != c.ID {
			t.Fatalf("appointment notices %v, want one", kindsOf(a))
		}
		for _, n := range ns {
			if n.Org == otherOrg.ID || n.ObjectID == adult.ID && n.User != "" {
				t.Fatalf("notice to the wrong recipient: %+v", n)
			}
		}
		next := env.Orgs.AddGuardian(otherOrg)
		if _, err := env.Service.AppointGuardian(owner, c.ID, intake.GuardianInput{UserID: next, OrgID: otherOrg.ID}); err != nil {
			t.Fatal(err)
		}
		ns = outboxNotices(t, env)
		if got := addressedTo(ns, notice.KindGuardianReplaced, guardianOrg.ID, "", guardian); len(got) != 1 {
			t.Fatalf("replaced guardian told %d times, want once", len(got))
		}
		if got := addressedTo(ns, notice.KindGuardianAppointed, otherOrg.ID, "", next); len(got) != 1 {
			t.Fatalf("new guardian told %d times, want once", len(got))
		}
	})
}

// A missing person's alert reaches the owner's case workers and the
// national desk, and no other organisation.
func TestMissingPersonAlertIsTold(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, other := env.Org("police"), env.Org("police")
		c := env.Register(t, police, intaketest.Registration("Missing Notice"))
		if _, err := env.Service.SupportTransition(intaketest.Officer(police), c.ID, intake.TransitionRequest{To: intake.SupportSuspended}); err != nil {
			t.Fatal(err)
		}
		ns := outboxNotices(t, env)
		want := []struct{ org, role string }{
			{police.ID, auth.RoleFrontlineOfficer}, {police.ID, auth.RoleNGOCaseworker}, {"", notice.RoleNationalDesk},
		}
		for _, w := range want {
			if got := addressedTo(ns, notice.KindPersonMissing, w.org, w.role, ""); len(got) != 1 || got[0].ObjectID != c.ID {
				t.Fatalf("missing-person notices to %s/%s: %d, want 1 (all: %+v)", w.org, w.role, len(got), ns)
			}
		}
		if len(ns) != len(want) {
			t.Fatalf("%d notices, want %d: %+v", len(ns), len(want), ns)
		}
		for _, n := range ns {
			if n.Org == other.ID {
				t.Fatalf("another organisation told: %+v", n)
			}
		}
	})
}

// Decision makers of the deciding organisation are told DueSoonDays before
// the reasonable-grounds target, on the day, and the day after it is
// missed: once each, however often the sweeper runs.
func TestDecisionMakersToldOfDeadlines(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		clock := &fixedClock{t: time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)} // a Monday
		env := intaketest.New(t, e, func(c *intake.Config) { c.Now = clock.Now })
		police, authority := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority)
		other := env.Org(intake.OrgKindCompetentAuthority)
		reg := intaketest.Registration("Deadline Notice")
		reg.IdentifiedOn = "2026-11-08"
		c := env.Register(t, police, reg)
		w, err := env.Service.Transition(intaketest.Officer(police), c.ID, intake.TransitionRequest{To: intake.DecisionSubmitted})
		if err != nil {
			t.Fatal(err)
		}
		due, _ := time.Parse(time.DateOnly, w.RGDue)
		ctx := context.Background()
		decisionMakers := func(kind string) []notice.Notice {
			return addressedTo(outboxNotices(t, env), kind, authority.ID, auth.RoleDecisionMaker, "")
		}
		// Only organisations holding a decision grant are told.
		orgs := map[string]bool{}
		if err := func() error {
			rows, err := env.DB.QueryContext(ctx, `SELECT DISTINCT org_id FROM grants WHERE case_id = $1 AND purpose = 'decision'`, c.ID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var o string
				if err := rows.Scan(&o); err != nil {
					return err
				}
				orgs[o] = true
			}
			return rows.Err()
		}(); err != nil {
			t.Fatal(err)
		}
		if !orgs[authority.ID] {
			t.Fatalf("submission granted the competent authority nothing: %v", orgs)
		}
		runs := []struct {
			name    string
			at      time.Time
			told    int
			dueSoon int // total due-soon notices to the authority after the run
		}{
			{"on submission", clock.t, 0, 0},
			{"three days before", due.AddDate(0, 0, -3).Add(9 * time.Hour), 0, 0},
			{"two days before", due.AddDate(0, 0, -2).Add(9 * time.Hour), 1, 1},
			{"two days before, again", due.AddDate(0, 0, -2).Add(10 * time.Hour), 0, 1},
			{"the day before", due.AddDate(0, 0, -1).Add(9 * time.Hour), 0, 1},
			{"on the day", due.Add(9 * time.Hour), 1, 2},
			{"on the day, again", due.Add(11 * time.Hour), 0, 2},
		}
		for _, r := range runs {
			t.Run(r.name, func(t *testing.T) {
				n, err := env.Admin.NotifyDeadlines(ctx, r.at)
				if err != nil || n != r.told {
					t.Fatalf("NotifyDeadlines = %d, %v; want %d", n, err, r.told)
				}
				got := decisionMakers(notice.KindDecisionDueSoon)
				if len(got) != r.dueSoon {
					t.Fatalf("%d due-soon notices, want %d", len(got), r.dueSoon)
				}
				for _, n := range got {
					if n.Due != w.RGDue || n.Detail != "rg" || n.ObjectID != c.ID {
						t.Fatalf("notice %+v: want due %s on track rg", n, w.RGDue)
					}
				}
			})
		}
		if n, err := env.Admin.ReportOverdue(ctx, due.AddDate(0, 0, 1).Add(9*time.Hour)); err != nil || n != 1 {
			t.Fatalf("ReportOverdue = %d, %v", n, err)
		}
		if got := decisionMakers(notice.KindDecisionOverdue); len(got) != 1 || got[0].Due != w.RGDue {
			t.Fatalf("overdue notices %+v, want one", got)
		}
		for _, n := range outboxNotices(t, env) {
			if n.Org == police.ID || (n.Org == other.ID && !orgs[other.ID]) {
				t.Fatalf("deadline notice to an organisation not deciding: %+v", n)
			}
		}
	})
}

// No notice carries personal data: unique strings planted in every
// section and free-text field of a child's case, its entries and its
// transition reasons appear in no notice and nowhere in the outbox.
func TestNoticesCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		ngo, guardianOrg := env.Org("ngo"), env.Org("ngo")
		canary := "Zq" + strings.ReplaceAll(event.NewID(), "-", "")[:12]
		r := intaketest.Registration(canary + " Name")
		r.AgeGroup, r.Consent = "unknown", intake.ConsentInput{Assistance: true}
		r.Narrative = &intake.NarrativeInfo{Account: canary + " narrative"}
		r.Health = &intake.HealthInfo{Notes: canary + " health"}
		r.Legal = &intake.LegalInfo{Notes: canary + " legal"}
		c := env.Register(t, ngo, r)
		owner := intaketest.As(ngo, auth.RoleNGOCaseworker)
		if _, err := env.Service.AppointGuardian(owner, c.ID, intake.GuardianInput{UserID: guardianIn(env, guardianOrg), OrgID: guardianOrg.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.AddEntry(owner, c.ID, intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"` + canary + ` note"}`)}); err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{intake.SupportSuspended, intake.SupportOpen} {
			if _, err := env.Service.SupportTransition(owner, c.ID, intake.TransitionRequest{To: to, Reason: canary + " reason " + to}); err != nil {
				t.Fatal(err)
			}
		}
		ns := outboxNotices(t, env)
		kinds := kindsOf(ns)
		for _, k := range []string{notice.KindGuardianAppointed + "/", notice.KindCaseChanged + "/entry.create", notice.KindPersonMissing + "/"} {
			if !slices.Contains(kinds, k) {
				t.Fatalf("notices %v: missing %s, so the scan proves nothing", kinds, k)
			}
		}
		if n := count(t, env, `SELECT COUNT(*) FROM outbox WHERE payload LIKE $1`, "%"+canary+"%"); n != 0 {
			t.Fatalf("%d outbox payloads carry the canary", n)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM outbox WHERE topic = $1 AND (payload LIKE '%Name%' OR payload LIKE '%note%')`, notice.Topic); n != 0 {
			t.Fatalf("%d notices carry free text", n)
		}
	})
}

// guardianIn makes org a child-protection organisation and returns a new
// guardian of it.
func guardianIn(env *intaketest.Env, org intake.OrgInfo) string {
	env.Orgs.OfferChildProtection(org)
	return env.Orgs.AddGuardian(org)
}
