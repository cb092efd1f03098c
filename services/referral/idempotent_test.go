package referral

import (
	"database/sql/driver"
	"sync/atomic"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/services/intake"
)

func TestIdempotentReferral(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		ev := newEnv(t, e)
		svc := idempotent{Service: ev.s, s: ev.s}
		a, b := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		officer := ev.officer()
		keyed := idempotency.WithKey(officer, "referral-1")
		in := NewReferral{CaseID: caseID, Service: "shelter", Urgency: "normal", Candidates: []string{a, b}}

		first, err := svc.CreateReferral(keyed, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := svc.CreateReferral(keyed, in)
		if err != nil || again.ID != first.ID {
			t.Fatalf("retry: %v, %s; want %s", err, again.ID, first.ID)
		}
		var n int
		if err := ev.db.QueryRow(`SELECT COUNT(*) FROM referrals WHERE case_id = $1`, caseID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d referrals (%v), want 1", n, err)
		}
		if got := ev.grants.count(); got != 2 {
			t.Fatalf("%d grants asked of intake, want 2 (a retry must not ask again)", got)
		}
		// The same key, another request: refused, nothing written.
		in2 := in
		in2.Urgency = "urgent"
		if _, err := svc.CreateReferral(keyed, in2); codeOf(err) != idempotency.CodeKeyReused {
			t.Fatalf("same key, other body: %v", err)
		}
		// Attack: another officer's same key is their own.
		if _, err := svc.CreateReferral(idempotency.WithKey(ev.officer(), "referral-1"), in); err != nil {
			t.Fatal(err)
		}
		if err := ev.db.QueryRow(`SELECT COUNT(*) FROM referrals WHERE case_id = $1`, caseID).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d referrals, want 2", n)
		}

		// A retried acceptance answers the first outcome, not the 409 its
		// own first attempt caused.
		caseworker := idempotency.WithKey(as(a, auth.RoleNGOCaseworker), "accept-1")
		if _, err := svc.Accept(caseworker, first.ID); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Accept(caseworker, first.ID)
		if err != nil || r.Status != StatusAccepted {
			t.Fatalf("retried acceptance: %v, %s", err, r.Status)
		}
		if _, err := svc.Accept(as(a, auth.RoleNGOCaseworker), first.ID); codeOf(err) == "" {
			t.Fatal("an acceptance without a key after the first must still be refused")
		}
	})
}

// The commit of a keyed referral is sent and its answer lost: the service
// finds the record at once and answers the referral that was written,
// whose grants stay (they are not revoked as for a failed referral).
func TestIdempotentReferralLostCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		ev := newEnv(t, e)
		svc := idempotent{Service: ev.s, s: ev.s}
		a := ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		var armed atomic.Bool
		ev.db.SetCommitFault(func() error {
			if armed.CompareAndSwap(true, false) {
				return driver.ErrBadConn
			}
			return nil
		})
		t.Cleanup(func() { ev.db.SetCommitFault(nil) })
		in := NewReferral{CaseID: caseID, Service: "shelter", Urgency: "normal", Candidates: []string{a}}
		armed.Store(true)
		r, err := svc.CreateReferral(idempotency.WithKey(ev.officer(), "lost-1"), in)
		if err != nil {
			t.Fatalf("keyed referral whose commit answer was lost: %v", err)
		}
		if armed.Load() {
			t.Fatal("the fault did not strike")
		}
		if got := ev.grants.status(r.ID, a); got == intake.GrantRevoked {
			t.Fatal("the committed referral's grant was revoked")
		}
		// Without a key the client learns the outcome is unknown.
		armed.Store(true)
		if _, err := svc.CreateReferral(ev.officer(), in); codeOf(err) != "commit_unknown" {
			t.Fatalf("lost commit without a key: %v, want commit_unknown", err)
		}
	})
}
