package intake_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

func note(t *testing.T, env *intaketest.Env, ctx context.Context, caseID, text string) string {
	t.Helper()
	e, err := env.Service.AddEntry(ctx, caseID, intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"` + text + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}

func TestBreakGlass(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		clock := &fixedClock{t: time.Date(2026, 11, 5, 22, 0, 0, 0, time.UTC)}
		env := intaketest.New(t, e, func(c *intake.Config) { c.Now = clock.Now })
		police, desk, audit := env.Org("police"), env.Org("ngo"), env.Org("commission")
		r := intaketest.Registration("Glass Person")
		r.IdentifiedOn = "2026-11-04"
		c := env.Register(t, police, r)
		note(t, env, intaketest.Officer(police), c.ID, "police note")
		coordinator, auditor := intaketest.As(desk, auth.RoleCoordinator), intaketest.As(audit, auth.RoleAuditor)

		_, err := env.Service.Get(coordinator, c.ID)
		wantErr(t, err, intake.ErrNotFound)
		_, err = env.Service.BreakGlass(intaketest.Officer(desk), c.ID, intake.BreakGlassInput{Reason: "x"})
		wantErr(t, err, kit.ErrForbidden)
		const reason = "Canary-bg7 the person called from a hospital"
		b, err := env.Service.BreakGlass(coordinator, c.ID, intake.BreakGlassInput{Reason: reason})
		if err != nil {
			t.Fatal(err)
		}
		if want := clock.t.Add(4 * time.Hour); !b.ExpiresAt.Equal(want) {
			t.Fatalf("expires %v, want %v", b.ExpiresAt, want)
		}
		_, err = env.Service.BreakGlass(coordinator, c.ID, intake.BreakGlassInput{Reason: "again"})
		wantErr(t, err, intake.ErrInvalidState)
		got, err := env.Service.Get(coordinator, c.ID)
		if err != nil || len(got.Sections) != 4 {
			t.Fatalf("emergency read: %d sections, %v; want 4", len(got.Sections), err)
		}
		if notes := readableNotes(t, env, coordinator, c.ID); strings.Join(notes, ",") != "police note" {
			t.Fatalf("emergency read of the case record: %q", notes)
		}
		if ev, ok := lastAudit(t, env, "intake.break_glass.open", c.ID); !ok || ev.Outcome != event.Allowed || ev.ActorOrg != desk.ID {
			t.Fatalf("no allowed intake.break_glass.open event by the desk: %+v", ev)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM outbox WHERE payload LIKE '%Canary-bg7%'`); n != 0 {
			t.Fatal("the reason is in clear in the outbox")
		}

		_, err = env.Service.BreakGlassList(coordinator)
		wantErr(t, err, kit.ErrForbidden)
		list, err := env.Service.BreakGlassList(auditor)
		if err != nil || len(list) != 1 || list[0].ID != b.ID || list[0].ReviewedBy != "" {
			t.Fatalf("auditor's list %+v, %v", list, err)
		}
		if _, err := env.Service.ReviewBreakGlass(auditor, b.ID, intake.ReviewInput{Code: "justified"}); err != nil {
			t.Fatal(err)
		}
		_, err = env.Service.ReviewBreakGlass(auditor, b.ID, intake.ReviewInput{Code: "justified"})
		wantErr(t, err, intake.ErrInvalidState)

		for _, step := range []struct {
			at     time.Duration
			closed int
			reads  bool
		}{{4*time.Hour - time.Minute, 0, true}, {4 * time.Hour, 1, false}, {5 * time.Hour, 0, false}} {
			n, err := env.Admin.ExpireBreakGlass(context.Background(), b.OpenedAt.Add(step.at))
			if err != nil || n != step.closed {
				t.Fatalf("at +%v: %d closed, %v; want %d", step.at, n, err, step.closed)
			}
			_, err = env.Service.Get(coordinator, c.ID)
			if (err == nil) != step.reads {
				t.Fatalf("at +%v: read error %v, want readable=%v", step.at, err, step.reads)
			}
		}
		if n := count(t, env, `SELECT COUNT(*) FROM entry_keys k JOIN entries e ON e.id = k.entry_id WHERE k.org_id = $1 AND e.author_org <> $1`, desk.ID); n != 0 {
			t.Fatalf("the desk kept %d entry keys of others after expiry", n)
		}
		// The owner reads the stated reason.
		es, err := env.Service.Entries(intaketest.Officer(police), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, en := range es {
			found = found || strings.Contains(string(en.Content), reason)
		}
		if !found {
			t.Fatal("the owner cannot read the break-glass reason")
		}
	})
}

func TestDisclosures(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, other, audit := env.Org("police"), env.Org("ngo"), env.Org("commission")
		c := env.Register(t, police, intaketest.Registration("Disclosed Person"))
		in := intake.DisclosureInput{RecipientKind: "court", LegalBasis: "court_order", Sections: []string{"identity", "legal"}}
		tests := []struct {
			name string
			ctx  context.Context
			in   intake.DisclosureInput
			want error
		}{
			{"unknown legal basis", intaketest.Officer(police), intake.DisclosureInput{RecipientKind: "court", LegalBasis: "curiosity", Sections: []string{"legal"}}, kit.Validation("")},
			{"other organisation", intaketest.Officer(other), in, intake.ErrNotFound},
			{"owner's officer", intaketest.Officer(police), in, nil},
		}
		for _, tc := range tests {
			_, err := env.Service.Disclose(tc.ctx, c.ID, tc.in)
			if tc.want == nil && err != nil || tc.want != nil {
				wantErr(t, err, tc.want)
			}
		}
		ds, err := env.Service.Disclosures(intaketest.As(audit, auth.RoleAuditor))
		if err != nil || len(ds) != 1 || ds[0].LegalBasis != "court_order" || strings.Join(ds[0].Sections, ",") != "identity,legal" {
			t.Fatalf("disclosures %+v, %v", ds, err)
		}
		if _, ok := lastAudit(t, env, "intake.disclosure", c.ID); !ok {
			t.Fatal("no intake.disclosure audit event")
		}
	})
}
