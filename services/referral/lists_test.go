package referral

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
)

// TestInboxPendingFirstWithTimeLeft: a provider's inbox lists its open
// offers soonest deadline first with the seconds left, then the referrals
// it accepted; nothing queued for it, declined by it or sent to others.
func TestInboxPendingFirstWithTimeLeft(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		p, q := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
		cw := as(p, auth.RoleNGOCaseworker)

		accepted := ev.refer(t, ev.adult("MA-06", 0), "normal", p)
		if _, err := ev.s.Accept(cw, accepted.ID); err != nil {
			t.Fatal(err)
		}
		declined := ev.refer(t, ev.adult("MA-06", 0), "normal", p, q)
		if _, err := ev.s.Decline(cw, declined.ID, DeclineInput{Reason: "no_capacity"}); err != nil {
			t.Fatal(err)
		}
		ev.clock.Advance(10 * time.Minute)
		normal := ev.refer(t, ev.adult("MA-06", 0), "normal", p)
		queued := ev.refer(t, ev.adult("MA-06", 0), "normal", q, p) // p is second in line
		emergency := ev.refer(t, ev.adult("MA-06", 0), "emergency", p)
		ev.refer(t, ev.adult("MA-06", 0), "high", q) // someone else's
		ev.clock.Advance(30 * time.Minute)

		inbox, err := ev.s.Inbox(cw)
		if err != nil {
			t.Fatal(err)
		}
		type line struct {
			id, offer string
			left      int64
			caseID    bool
		}
		var got []line
		for _, r := range inbox {
			l := line{id: r.ID, offer: r.OfferStatus, left: -1, caseID: r.CaseID != ""}
			if r.SecondsLeft != nil {
				l.left = *r.SecondsLeft
			}
			got = append(got, l)
		}
		want := []line{
			{emergency.ID, OfferOffered, int64((2*time.Hour - 30*time.Minute).Seconds()), false},
			{normal.ID, OfferOffered, int64((72*time.Hour - 30*time.Minute).Seconds()), false},
			{accepted.ID, OfferAccepted, -1, true},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("inbox\n got %+v\nwant %+v", got, want)
		}
		for _, r := range inbox {
			if r.ID == queued.ID || r.ID == declined.ID {
				t.Fatalf("inbox lists %s", r.ID)
			}
		}

		t.Run("the other provider", func(t *testing.T) {
			other, err := ev.s.Inbox(as(q, auth.RoleNGOCaseworker))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range other {
				ids = append(ids, r.ID)
			}
			// declined moved on to q; queued is q's first; the high one is q's.
			if len(ids) != 3 || !slices.Contains(ids, declined.ID) || !slices.Contains(ids, queued.ID) {
				t.Fatalf("q's inbox %v", ids)
			}
		})
	})
}

// TestSentListsTheSendersReferralsNewestFirst.
func TestSentListsTheSendersReferralsNewestFirst(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	p := ev.provider(t, shelter("MA-06", 5))
	var ids []string
	for i := range 3 {
		ids = append(ids, ev.refer(t, ev.adult("MA-06", 0), "normal", p).ID)
		ev.clock.Advance(time.Duration(i+1) * time.Minute)
	}
	if _, err := ev.s.Withdraw(ev.officer(), ids[1], WithdrawInput{}); err != nil {
		t.Fatal(err)
	}
	sent, err := ev.s.Sent(ev.officer())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range sent {
		got = append(got, r.ID+"/"+r.Status)
		if r.CaseID == "" || len(r.Candidates) != 1 {
			t.Errorf("sender's view of %s lacks the case or candidates", r.ID)
		}
	}
	want := []string{ids[2] + "/pending", ids[1] + "/withdrawn", ids[0] + "/pending"}
	if !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	for _, caller := range []string{event.NewID(), p} {
		other, err := ev.s.Sent(as(caller, auth.RoleFrontlineOfficer))
		if err != nil || len(other) != 0 {
			t.Fatalf("another organisation's sent list: %d, %v", len(other), err)
		}
	}
}

// TestFanOutRefillsAfterDecline: an emergency offered to three of four
// candidates; a decline offers it to the fourth at once, with a fresh
// two-hour deadline, and tells it.
func TestFanOutRefillsAfterDecline(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		var provs []string
		for range 4 {
			provs = append(provs, ev.provider(t, shelter("MA-06", 5)))
		}
		r := ev.refer(t, ev.adult("MA-06", 0), "emergency", provs...)
		if got := fmt.Sprint(offerStatuses(r)); got != "[offered offered offered queued]" {
			t.Fatalf("offers %s", got)
		}
		if ns, _ := ev.s.Notifications(as(provs[3], auth.RoleNGOCaseworker), 0); len(ns) != 0 {
			t.Fatalf("the fourth was told before its turn: %+v", ns)
		}
		ev.clock.Advance(40 * time.Minute)
		if _, err := ev.s.Decline(as(provs[1], auth.RoleNGOCaseworker), r.ID, DeclineInput{Reason: "no_capacity"}); err != nil {
			t.Fatal(err)
		}
		got := ev.status(t, r.ID)
		if s := fmt.Sprint(offerStatuses(got)); s != "[offered declined offered offered]" || got.Status != StatusPending {
			t.Fatalf("after decline: %s %s", got.Status, s)
		}
		if d := got.Candidates[3].Deadline; d == nil || !d.Equal(ev.clock.Now().Add(2*time.Hour)) {
			t.Fatalf("refill deadline %v, want two hours from the decline", d)
		}
		if ev.grants.status(r.ID, provs[1]) != intake.GrantRevoked || ev.grants.status(r.ID, provs[3]) != intake.GrantPending {
			t.Fatal("grants did not follow the decline")
		}
		ns, err := ev.s.Notifications(as(provs[3], auth.RoleNGOCaseworker), 0)
		if err != nil || len(ns) != 1 || ns[0].Event != "offered" || ns[0].ReferralID != r.ID {
			t.Fatalf("fourth's notifications %+v, %v", ns, err)
		}
		t.Run("a decline with nobody left keeps the others open", func(t *testing.T) {
			if _, err := ev.s.Decline(as(provs[0], auth.RoleNGOCaseworker), r.ID, DeclineInput{Reason: "outside_area"}); err != nil {
				t.Fatal(err)
			}
			got := ev.status(t, r.ID)
			if s := fmt.Sprint(offerStatuses(got)); s != "[declined declined offered offered]" || got.Status != StatusPending {
				t.Fatalf("%s %s", got.Status, s)
			}
		})
	})
}

// TestEmergencyOneDeclinesAnotherAccepts: three offers at once; one
// declines, one accepts, the third is withdrawn and told; places and
// grants follow, and the sender sees the decline's reason and note.
func TestEmergencyOneDeclinesAnotherAccepts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		a, b, c := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
		r := ev.refer(t, ev.adult("MA-06", 1), "emergency", a, b, c)
		if _, err := ev.s.Decline(as(a, auth.RoleNGOCaseworker), r.ID, DeclineInput{Reason: "other", Note: "dependants_not_accepted"}); err != nil {
			t.Fatal(err)
		}
		ev.clock.Advance(5 * time.Minute)
		acc, err := ev.s.Accept(as(b, auth.RoleNGOCaseworker), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if acc.Status != StatusAccepted || acc.CaseID != r.CaseID {
			t.Fatalf("accepting provider sees %+v", acc)
		}
		got := ev.status(t, r.ID)
		if s := fmt.Sprint(offerStatuses(got)); s != "[declined accepted withdrawn]" || got.AcceptedOrg != b {
			t.Fatalf("offers %s, accepted by %s", s, got.AcceptedOrg)
		}
		if d := got.Candidates[0]; d.DeclineReason != "other" || d.DeclineNote != "dependants_not_accepted" {
			t.Fatalf("sender sees decline %q/%q", d.DeclineReason, d.DeclineNote)
		}
		if ev.used(t, a) != 0 || ev.used(t, b) != 2 || ev.used(t, c) != 0 {
			t.Fatalf("places a %d b %d c %d; want 0 2 0", ev.used(t, a), ev.used(t, b), ev.used(t, c))
		}
		for org, want := range map[string]string{a: intake.GrantRevoked, b: intake.GrantActive, c: intake.GrantRevoked} {
			if g := ev.grants.status(r.ID, org); g != want {
				t.Errorf("grant of %s %s, want %s", org, g, want)
			}
		}
		events := func(org string) []string {
			ns, err := ev.s.Notifications(as(org, auth.RoleNGOCaseworker), 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, n := range ns {
				out = append(out, n.Event)
			}
			return out
		}
		for org, want := range map[string]string{a: "[offered]", b: "[offered]", c: "[offered withdrawn]", ev.police: "[declined accepted]"} {
			if got := fmt.Sprint(events(org)); got != want {
				t.Errorf("notifications of %s: %s, want %s", org, got, want)
			}
		}
		if _, err := ev.s.Accept(as(c, auth.RoleNGOCaseworker), r.ID); codeOf(err) != CodeInvalidTransition {
			t.Fatalf("late accept by the withdrawn candidate: %v", err)
		}
		// The withdrawn candidate keeps its summary view; the decliner too.
		for _, org := range []string{a, c} {
			v, err := ev.s.GetReferral(as(org, auth.RoleNGOCaseworker), r.ID)
			if err != nil || v.CaseID != "" || v.AcceptedOrg != "" {
				t.Fatalf("%s sees %+v, %v", org, v, err)
			}
		}
	})
}
