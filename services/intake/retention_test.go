package intake_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestPurge: support records go five years after closure unless held; the
// live database then holds no way to decrypt them (no entry key, no
// ciphertext, no section, no wrap naming a purged key), while the decision
// record stays readable. TestPurgeDefeatsOldBackup covers a copy of the
// database taken before the purge.
func TestPurge(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		clock := &fixedClock{t: time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)}
		env := intaketest.New(t, e, func(c *intake.Config) { c.Now = clock.Now })
		police, authority, audit := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority), env.Org("commission")
		officer, dm := intaketest.Officer(police), intaketest.As(authority, auth.RoleDecisionMaker)
		auditor := intaketest.As(audit, auth.RoleAuditor)
		r := intaketest.Registration("Purged Person")
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
		noteID := note(t, env, officer, c.ID, "support note")
		if _, err := env.Service.SupportTransition(officer, c.ID, intake.TransitionRequest{To: intake.SupportClosed}); err != nil {
			t.Fatal(err)
		}
		closed := clock.t
		if _, err := env.Service.PlaceLegalHold(auditor, c.ID, intake.LegalHoldInput{ReasonCode: "litigation"}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name    string
			at      time.Time
			release bool
			want    intake.PurgeReport
		}{
			{"within five years", closed.AddDate(4, 11, 0), false, intake.PurgeReport{Held: 1}},
			{"held", closed.AddDate(6, 0, 0), false, intake.PurgeReport{Held: 1}},
			{"released", closed.AddDate(6, 0, 0), true, intake.PurgeReport{Cases: 1, Entries: 1, Sections: 3}},
			{"again", closed.AddDate(7, 0, 0), false, intake.PurgeReport{}},
		}
		for _, st := range steps {
			if st.release {
				if _, err := env.Service.ReleaseLegalHold(auditor, c.ID, intake.LegalHoldInput{ReasonCode: "ended"}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := env.Admin.Purge(context.Background(), st.at)
			if err != nil || got != st.want {
				t.Fatalf("%s: purge %+v, %v; want %+v", st.name, got, err, st.want)
			}
		}
		if n := count(t, env, `SELECT COUNT(*) FROM entry_keys WHERE entry_id = $1`, noteID); n != 0 {
			t.Fatalf("%d keys left for the purged note", n)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM entries WHERE id = $1 AND purged_at IS NOT NULL AND LENGTH(sealed) = 0`, noteID); n != 1 {
			t.Fatal("the purged note still holds its ciphertext")
		}
		var names []string
		for _, s := range allSections(t, env) {
			names = append(names, s.h.Section)
		}
		if !slices.Equal(names, []string{intake.SectionIdentity}) {
			t.Fatalf("sections left %v, want identity only (the decision record's)", names)
		}
		for _, org := range []intake.OrgInfo{police, authority} {
			id, _ := activeIdentity(t, env, org.ID)
			for _, w := range allWraps(t, env, org.ID) {
				kgs, err := seal.Unwrap(id, w.wrap, unlockCase(env.Keys, w.caseID))
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range kgs {
					if k.Section != intake.SectionIdentity {
						t.Fatalf("a wrap of %s still holds the key of %s", org.ID, k.Section)
					}
				}
			}
		}
		wf, err := env.Service.Workflow(dm, c.ID)
		if err != nil || !slices.ContainsFunc(wf.History, func(d intake.DecisionRecord) bool { return d.To == intake.DecisionRGPositive }) {
			t.Fatalf("decision record lost: %+v, %v", wf.History, err)
		}
		es, err := env.Service.Entries(dm, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		reasons := 0
		for _, en := range es {
			if en.Type == "decision" && len(en.Content) > 0 {
				reasons++
			}
		}
		if reasons == 0 {
			t.Fatal("the sealed decision reasons were purged")
		}
		if _, ok := lastAudit(t, env, "intake.case.purge", c.ID); !ok {
			t.Fatal("no intake.case.purge audit event")
		}
	})
}

// outboxAccessLog answers CaseEvents from the audit events the service
// wrote to its outbox, as the audit service would after delivery.
type outboxAccessLog struct {
	t   *testing.T
	env *intaketest.Env
}

func (l *outboxAccessLog) CaseEvents(_ context.Context, caseID string) ([]intake.AccessRecord, error) {
	var out []intake.AccessRecord
	for _, e := range auditEvents(l.t, l.env) {
		if e.ObjectID == caseID {
			out = append(out, intake.AccessRecord{Time: e.Time, Action: e.Action, Outcome: string(e.Outcome), ActorOrg: e.ActorOrg, ActorRole: e.ActorRole})
		}
	}
	return out, nil
}

func TestAccessReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		log := &outboxAccessLog{t: t}
		env := intaketest.New(t, e, func(c *intake.Config) { c.AccessLog = log })
		log.env = env
		police, other, audit := env.Org("police"), env.Org("ngo"), env.Org("commission")
		c := env.Register(t, police, intaketest.Registration("Reported Person"))
		officer := intaketest.Officer(police)
		if _, err := env.Service.Get(officer, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err := env.Service.Get(intaketest.Officer(other), c.ID)
		wantErr(t, err, intake.ErrNotFound)
		if _, err := env.Service.Entries(officer, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.Disclose(officer, c.ID, intake.DisclosureInput{RecipientKind: "police", LegalBasis: "criminal_investigation",
			Sections: []string{"narrative"}}); err != nil {
			t.Fatal(err)
		}
		rep, err := env.Service.AccessReport(intaketest.As(audit, auth.RoleAuditor), c.ID, "fr")
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ kind, action, outcome, org string }{
			{"read", "intake.case.read", string(event.Allowed), police.ID},
			{"denial", "intake.case.read", string(event.Denied), other.ID},
			{"read", "intake.entry.read", string(event.Allowed), police.ID},
			{"disclosure", "intake.disclosure", string(event.Allowed), police.ID},
		}
		if len(rep.Items) != len(want) {
			t.Fatalf("report %+v, want %d items", rep.Items, len(want))
		}
		for i, w := range want {
			it := rep.Items[i]
			if it.Kind != w.kind || it.Action != w.action || it.Outcome != w.outcome || it.OrgID != w.org {
				t.Fatalf("item %d: %+v, want %+v", i, it, w)
			}
		}
		if rep.Language != "fr" || rep.Items[0].Label != "Votre dossier a été consulté" || rep.Items[3].LegalBasis != "criminal_investigation" {
			t.Fatalf("report not in French or without legal basis: %+v", rep)
		}
	})
}
