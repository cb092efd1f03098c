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
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// referralGrant makes a referral's pending grant of the case's narrative
// to org, activated when active.
func referralGrant(t *testing.T, env *intaketest.Env, owner, org intake.OrgInfo, caseID string, active bool) intake.Grant {
	t.Helper()
	g, err := env.Service.GrantPending(intaketest.Officer(owner), intake.GrantRequest{CaseID: caseID, OrgID: org.ID,
		Sections: []string{intake.SectionNarrative}, Purpose: "referral", ReferralID: event.NewID(), Service: "shelter"})
	if err != nil {
		t.Fatal(err)
	}
	if active {
		if g, err = env.Service.ActivateGrant(intaketest.As(org, auth.RoleNGOCaseworker), caseID, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// toldReferral returns the revocations in intake's outbox for referral,
// and their raw payloads.
func toldReferral(t *testing.T, env *intaketest.Env) ([]grantchange.Revocation, string) {
	t.Helper()
	rows, err := env.DB.QueryContext(context.Background(), `SELECT payload FROM outbox WHERE topic = $1 ORDER BY pos`, grantchange.Topic)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var (
		out []grantchange.Revocation
		raw strings.Builder
	)
	for rows.Next() {
		var p string
		var r grantchange.Revocation
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(p), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
		raw.WriteString(p)
	}
	return out, raw.String()
}

// grantStatus is the status of the case's grant id, as its owner lists it.
func grantStatus(t *testing.T, env *intaketest.Env, owner intake.OrgInfo, caseID, id string) string {
	t.Helper()
	gs, err := env.Service.ListGrants(intaketest.Officer(owner), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if g.ID == id {
			return g.Status
		}
	}
	return ""
}

// fromReferral is referral's outbox message asking to revoke g.
func fromReferral(t *testing.T, seq int64, g intake.Grant, edit func(*grantchange.Revocation)) outbox.Message {
	t.Helper()
	r := grantchange.Revocation{CaseID: g.CaseID, ReferralID: g.ReferralID,
		OrgID: g.OrgID, GrantID: g.ID, Reason: grantchange.ReasonDeclined, At: time.Now().UTC()}
	if edit != nil {
		edit(&r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return outbox.Message{ID: event.NewOrderedID(), Source: "referral", Seq: seq, Topic: grantchange.Topic,
		CreatedAt: time.Now().UTC(), Payload: b}
}

// revokeEvents counts the audit events of the grant's revocation.
func revokeEvents(t *testing.T, env *intaketest.Env, grantID string) int {
	t.Helper()
	return count(t, env, `SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE $1 AND payload LIKE $2`,
		"%intake.grant.revoke%", "%"+grantID+"%")
}

// Withdrawing the consent to share tells referral which referral grants
// it revoked, in ids and a code: nothing about the person.
func TestConsentWithdrawalTellsReferral(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		name := "Canary " + event.NewID()
		c := env.Register(t, police, intaketest.Registration(name))
		g := referralGrant(t, env, police, ngo, c.ID, true)
		if told, _ := toldReferral(t, env); len(told) != 0 {
			t.Fatalf("told referral before any revocation: %+v", told)
		}
		if _, err := env.Service.RecordConsent(intaketest.Officer(police), c.ID, intake.ConsentInput{Assistance: true, NRMReferral: true}); err != nil {
			t.Fatal(err)
		}
		told, raw := toldReferral(t, env)
		if len(told) != 1 {
			t.Fatalf("told referral %d revocations, want 1", len(told))
		}
		r := told[0]
		if r.GrantID != g.ID || r.CaseID != c.ID || r.ReferralID != g.ReferralID || r.OrgID != ngo.ID ||
			r.Reason != grantchange.ReasonConsentWithdrawn {
			t.Fatalf("told %+v", r)
		}
		if err := r.Validate(grantchange.ReasonsFromIntake); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "Canary") || strings.Contains(raw, c.Reference) && c.Reference != "" {
			t.Fatalf("personal data or the reference in the message: %s", raw)
		}
		if st := grantStatus(t, env, police, c.ID, g.ID); st != intake.GrantRevoked {
			t.Fatalf("grant %s", st)
		}
	})
}

// A decline in referral reaches intake on referral's outbox: delivered
// twice, the grant is revoked once, with one audit event, and nothing is
// told back to referral, which marked the grant when it asked.
func TestReferralRevocationReceivedOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		c := env.Register(t, police, intaketest.Registration("Declined "+event.NewID()))
		g := referralGrant(t, env, police, ngo, c.ID, false)
		msg := fromReferral(t, 1, g, nil)
		for i := range 2 {
			if err := env.Intake.ReceiveGrantChanges(context.Background(), []outbox.Message{msg}); err != nil {
				t.Fatalf("delivery %d: %v", i+1, err)
			}
		}
		if st := grantStatus(t, env, police, c.ID, g.ID); st != intake.GrantRevoked {
			t.Fatalf("grant %s after the decline, want revoked", st)
		}
		if n := revokeEvents(t, env, g.ID); n != 1 {
			t.Fatalf("%d revocation audit events, want 1", n)
		}
		if told, _ := toldReferral(t, env); len(told) != 0 {
			t.Fatalf("intake echoed referral's own revocation: %+v", told)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM outbox WHERE topic = $1`, grantchange.Topic); n != 0 {
			t.Fatalf("%d grant messages in intake's outbox after referral's revocation", n)
		}
	})
}

// A forged, misrouted or replayed message revokes nothing it does not
// name exactly (the grant of that referral, to that organisation, in that
// case), activates nothing, and is acknowledged rather than retried.
func TestForgedGrantRevocationRevokesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo, other := env.Org("police"), env.Org("ngo"), env.Org("ngo")
		c1 := env.Register(t, police, intaketest.Registration("First "+event.NewID()))
		c2 := env.Register(t, police, intaketest.Registration("Second "+event.NewID()))
		mine := referralGrant(t, env, police, ngo, c1.ID, false)
		theirs := referralGrant(t, env, police, other, c2.ID, true)
		forged := map[string]outbox.Message{
			"another referral":      fromReferral(t, 1, mine, func(r *grantchange.Revocation) { r.ReferralID = theirs.ReferralID }),
			"another organisation":  fromReferral(t, 2, mine, func(r *grantchange.Revocation) { r.OrgID = other.ID }),
			"another case":          fromReferral(t, 3, mine, func(r *grantchange.Revocation) { r.CaseID = c2.ID }),
			"the grant of the case": fromReferral(t, 4, theirs, func(r *grantchange.Revocation) { r.CaseID = c1.ID }),
			"an unknown grant":      fromReferral(t, 5, mine, func(r *grantchange.Revocation) { r.GrantID = event.NewID() }),
			"an intake reason":      fromReferral(t, 6, mine, func(r *grantchange.Revocation) { r.Reason = grantchange.ReasonPurged }),
			"from another service":  func() outbox.Message { m := fromReferral(t, 7, mine, nil); m.Source = "identity"; return m }(),
			"undecodable":           {ID: event.NewOrderedID(), Source: "referral", Seq: 8, Topic: grantchange.Topic, Payload: []byte(`"x"`)},
		}
		for name, m := range forged {
			t.Run(name, func(t *testing.T) {
				if err := env.Intake.ReceiveGrantChanges(context.Background(), []outbox.Message{m}); err != nil {
					t.Fatalf("not acknowledged: %v", err)
				}
				if st := grantStatus(t, env, police, c1.ID, mine.ID); st != intake.GrantPending {
					t.Fatalf("the named grant is %s, want pending", st)
				}
				if st := grantStatus(t, env, police, c2.ID, theirs.ID); st != intake.GrantActive {
					t.Fatalf("the other organisation's grant is %s, want active", st)
				}
			})
		}
		if told, _ := toldReferral(t, env); len(told) != 0 {
			t.Fatalf("forged messages made intake tell referral %+v", told)
		}
		if n := revokeEvents(t, env, mine.ID) + revokeEvents(t, env, theirs.ID); n != 0 {
			t.Fatalf("%d revocation events", n)
		}
	})
}

// The purge ends every provider's access to the case it purges and tells
// referral so.
func TestPurgeTellsReferral(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		officer := intaketest.Officer(police)
		c := env.Register(t, police, intaketest.Registration("Purged "+event.NewID()))
		g := referralGrant(t, env, police, ngo, c.ID, true)
		if _, err := env.Service.SupportTransition(officer, c.ID, intake.TransitionRequest{To: intake.SupportClosed}); err != nil {
			t.Fatal(err)
		}
		rep, err := env.Admin.Purge(context.Background(), time.Now().AddDate(10, 0, 0))
		if err != nil || rep.Cases != 1 {
			t.Fatalf("purge %+v, %v", rep, err)
		}
		told, _ := toldReferral(t, env)
		if len(told) != 1 || told[0].GrantID != g.ID || told[0].Reason != grantchange.ReasonPurged {
			t.Fatalf("told referral %+v, want the purge's revocation", told)
		}
		if n := revokeEvents(t, env, g.ID); n != 1 {
			t.Fatalf("%d revocation audit events, want 1", n)
		}
		if st := grantStatus(t, env, police, c.ID, g.ID); st != intake.GrantRevoked {
			t.Fatalf("grant %s after the purge", st)
		}
		if rep, err := env.Admin.Purge(context.Background(), time.Now().AddDate(11, 0, 0)); err != nil || rep.Cases != 0 {
			t.Fatalf("purge again %+v, %v", rep, err)
		}
		if told, _ := toldReferral(t, env); len(told) != 1 {
			t.Fatalf("a second purge told referral again: %d", len(told))
		}
	})
}
