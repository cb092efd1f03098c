package referral

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake"
)

// candidateOf returns org's candidate row of the referral.
func (ev *env) candidateOf(t *testing.T, referralID, org string) candidateRow {
	t.Helper()
	cands, err := ev.s.store.candidates(context.Background(), ev.db, referralID)
	if err != nil {
		t.Fatal(err)
	}
	if c := findOffer(cands, org); c != nil {
		return *c
	}
	t.Fatalf("no candidate %s", org)
	return candidateRow{}
}

// fromIntake is intake's outbox message telling that c's grant was revoked.
func fromIntake(t *testing.T, caseID string, c candidateRow, reason string, edit func(*grantchange.Revocation)) outbox.Message {
	t.Helper()
	r := grantchange.Revocation{CaseID: caseID, ReferralID: c.ReferralID,
		OrgID: c.OrgID, GrantID: c.GrantID, Reason: reason, At: time.Now().UTC()}
	if edit != nil {
		edit(&r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return outbox.Message{ID: event.NewOrderedID(), Source: "intake", Topic: grantchange.Topic, CreatedAt: time.Now().UTC(), Payload: b}
}

// A grant intake revoked (the person withdrew consent) shows revoked, with
// intake's reason, to the provider and the sender, however often the
// message comes; a read by the provider does not bring it back.
func TestIntakeRevocationShowsInReferral(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		a := ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		r := ev.refer(t, caseID, "high", a)
		provider := as(a, auth.RoleNGOCaseworker)
		got, err := ev.s.Accept(provider, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.GrantState != grantActive {
			t.Fatalf("accepted: grant %q, want active", got.GrantState)
		}
		c := ev.candidateOf(t, r.ID, a)
		recv := NewGrantChanges(ev.config())
		msg := fromIntake(t, caseID, c, grantchange.ReasonConsentWithdrawn, nil)
		for i := range 2 {
			if err := recv.Receive(context.Background(), []outbox.Message{msg}); err != nil {
				t.Fatalf("delivery %d: %v", i+1, err)
			}
		}
		for name, ctx := range map[string]context.Context{"provider": provider, "sender": ev.officer()} {
			got, err := ev.s.GetReferral(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			state, reason := got.GrantState, got.GrantReason
			if name == "sender" && len(got.Candidates) == 1 {
				state, reason = got.Candidates[0].GrantState, got.Candidates[0].GrantReason
			}
			if state != grantRevoked || reason != grantchange.ReasonConsentWithdrawn {
				t.Fatalf("%s sees the grant %q (%q), want revoked (consent_withdrawn)", name, state, reason)
			}
		}
		if st := ev.grants.status(r.ID, a); st != intake.GrantActive {
			t.Fatalf("the fake intake's grant is %s: referral asked for something", st)
		}
		// A later echo of another reason keeps the first.
		if err := recv.Receive(context.Background(), []outbox.Message{fromIntake(t, caseID, c, grantchange.ReasonPurged, nil)}); err != nil {
			t.Fatal(err)
		}
		if c := ev.candidateOf(t, r.ID, a); c.GrantReason != grantchange.ReasonConsentWithdrawn {
			t.Fatalf("reason %q after a redelivery", c.GrantReason)
		}
	})
}

// A message from intake naming a grant that is not that referral's, to
// that organisation, in that case, or not from intake, changes nothing.
func TestForgedIntakeRevocationChangesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		a, b := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
		case1, case2 := ev.adult("MA-06", 0), ev.adult("MA-06", 0)
		r1, r2 := ev.refer(t, case1, "high", a), ev.refer(t, case2, "high", b)
		c1, c2 := ev.candidateOf(t, r1.ID, a), ev.candidateOf(t, r2.ID, b)
		reason := grantchange.ReasonConsentWithdrawn
		recv := NewGrantChanges(ev.config())
		forged := map[string]outbox.Message{
			"another case":          fromIntake(t, case2, c1, reason, nil),
			"another referral":      fromIntake(t, case1, c1, reason, func(r *grantchange.Revocation) { r.ReferralID = r2.ID }),
			"another organisation":  fromIntake(t, case1, c1, reason, func(r *grantchange.Revocation) { r.OrgID = b }),
			"another grant":         fromIntake(t, case1, c1, reason, func(r *grantchange.Revocation) { r.GrantID = c2.GrantID }),
			"from another service":  func() outbox.Message { m := fromIntake(t, case1, c1, reason, nil); m.Source = "identity"; return m }(),
			"a reason not intake's": fromIntake(t, case1, c1, "gone", nil),
		}
		for name, m := range forged {
			t.Run(name, func(t *testing.T) {
				if err := recv.Receive(context.Background(), []outbox.Message{m}); err != nil {
					t.Fatalf("not acknowledged: %v", err)
				}
				for _, c := range []candidateRow{ev.candidateOf(t, r1.ID, a), ev.candidateOf(t, r2.ID, b)} {
					if c.GrantState != grantPending || c.GrantReason != "" {
						t.Fatalf("grant of %s is %s (%s), want pending", c.OrgID, c.GrantState, c.GrantReason)
					}
				}
			})
		}
	})
}

// A decline revokes the grant in referral and asks intake, in the same
// transaction, on referral's outbox; nothing is asked of intake directly.
func TestDeclineAsksIntakeOnTheOutbox(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		a := ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		r := ev.refer(t, caseID, "high", a)
		c := ev.candidateOf(t, r.ID, a)
		got, err := ev.s.Decline(as(a, auth.RoleNGOCaseworker), r.ID, DeclineInput{Reason: DeclineReasons[0]})
		if err != nil {
			t.Fatal(err)
		}
		if got.GrantState != grantRevoked || got.GrantReason != grantchange.ReasonDeclined {
			t.Fatalf("declined: grant %q (%q)", got.GrantState, got.GrantReason)
		}
		rows, err := ev.db.QueryContext(context.Background(), `SELECT payload FROM outbox WHERE topic = $1`, grantchange.Topic)
		if err != nil {
			t.Fatal(err)
		}
		var asked []grantchange.Revocation
		for rows.Next() {
			var p string
			var m grantchange.Revocation
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(p), &m); err != nil {
				t.Fatal(err)
			}
			asked = append(asked, m)
		}
		rows.Close()
		want := grantchange.Revocation{CaseID: caseID, ReferralID: r.ID, OrgID: a, GrantID: c.GrantID, Reason: grantchange.ReasonDeclined}
		if len(asked) != 1 || asked[0].CaseID != want.CaseID || asked[0].ReferralID != want.ReferralID || asked[0].OrgID != want.OrgID ||
			asked[0].GrantID != want.GrantID || asked[0].Reason != want.Reason {
			t.Fatalf("asked intake %+v, want %+v", asked, want)
		}
		for _, call := range ev.grants.calls {
			if call.op == "revoke" && call.caller != "referral" {
				t.Fatalf("referral called intake to revoke: %+v", call)
			}
		}
		if st := ev.grants.status(r.ID, a); st != intake.GrantRevoked {
			t.Fatalf("after the relay intake's grant is %s", st)
		}
	})
}

// A revocation left due by the retry loop of before is handed to the
// outbox by the next sweep.
func TestSweepHandsOverRevocationsLeftDue(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	a := ev.provider(t, shelter("MA-06", 5))
	r := ev.refer(t, ev.adult("MA-06", 0), "high", a)
	if _, err := ev.db.Exec(`UPDATE referral_candidates SET grant_state = 'revoke' WHERE referral_id = $1`, r.ID); err != nil {
		t.Fatal(err)
	}
	res, err := ev.sweeper(t).SweepOnce(context.Background(), ev.clock.Now())
	if err != nil || res.HandedOver != 1 {
		t.Fatalf("sweep %+v, %v; want one handed over", res, err)
	}
	if st := ev.grants.status(r.ID, a); st != intake.GrantRevoked {
		t.Fatalf("intake's grant is %s after the hand-over", st)
	}
	if res, err := ev.sweeper(t).SweepOnce(context.Background(), ev.clock.Now()); err != nil || res.HandedOver != 0 {
		t.Fatalf("second sweep %+v, %v", res, err)
	}
}
