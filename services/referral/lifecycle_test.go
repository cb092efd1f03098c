package referral

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/intake"
)

func TestGrantsFollowTheReferral(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		cases := []struct {
			name string
			act  func(r Referral, a, b string) error
			want map[string]string // org index → grant status
		}{
			{"acceptance activates", func(r Referral, a, _ string) error {
				_, err := ev.s.Accept(as(a, auth.RoleNGOCaseworker), r.ID)
				return err
			}, map[string]string{"a": intake.GrantActive, "b": intake.GrantRevoked}},
			{"decline revokes and offers the next", func(r Referral, a, _ string) error {
				_, err := ev.s.Decline(as(a, auth.RoleNGOCaseworker), r.ID, DeclineInput{Reason: "no_capacity"})
				return err
			}, map[string]string{"a": intake.GrantRevoked, "b": intake.GrantPending}},
			{"withdrawal revokes all", func(r Referral, _, _ string) error {
				_, err := ev.s.Withdraw(ev.officer(), r.ID, WithdrawInput{})
				return err
			}, map[string]string{"a": intake.GrantRevoked, "b": intake.GrantRevoked}},
			{"withdrawal after acceptance revokes the active grant and frees places", func(r Referral, a, _ string) error {
				if _, err := ev.s.Accept(as(a, auth.RoleNGOCaseworker), r.ID); err != nil {
					return err
				}
				_, err := ev.s.Withdraw(as(event0(), auth.RoleCoordinator), r.ID, WithdrawInput{Reason: "provider_unsafe", Note: "place_compromised"})
				return err
			}, map[string]string{"a": intake.GrantRevoked, "b": intake.GrantRevoked}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a, b := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
				r := ev.refer(t, ev.adult("MA-06", 1), "normal", a, b)
				if err := tc.act(r, a, b); err != nil {
					t.Fatal(err)
				}
				orgs := map[string]string{"a": a, "b": b}
				for k, want := range tc.want {
					if got := ev.grants.status(r.ID, orgs[k]); got != want {
						t.Errorf("grant of %s: %s, want %s", k, got, want)
					}
				}
				if got := ev.used(t, a) + ev.used(t, b); tc.name == "acceptance activates" && got != 2 ||
					strings.HasPrefix(tc.name, "withdrawal") && got != 0 {
					t.Errorf("places taken %d", got)
				}
			})
		}
	})
}

func event0() string { return "00000000-0000-4000-8000-000000000001" }

func TestConsentRefusalLeavesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		a := ev.provider(t, shelter("MA-06", 5))
		ev.grants.refuse[a] = true
		_, err := ev.s.CreateReferral(ev.officer(), NewReferral{CaseID: ev.adult("MA-06", 0), Service: "shelter", Urgency: "normal"})
		if !errors.Is(err, intake.ErrConsentRequired) || kitAs(err) != 409 {
			t.Fatalf("err %v, want intake's 409 consent_required", err)
		}
		var n int
		if err := ev.db.QueryRow(`SELECT (SELECT COUNT(*) FROM referrals) + (SELECT COUNT(*) FROM referral_candidates)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 || ev.grants.count() != 0 {
			t.Fatalf("%d rows and %d grants left behind", n, ev.grants.count())
		}
	})
}

func TestAnonymousNeverReferred(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	ev.provider(t, shelter("MA-06", 5))
	id := ev.adult("MA-06", 0)
	c := ev.cases.cases[id]
	c.Route = "anonymous"
	ev.cases.cases[id] = c
	if _, err := ev.s.CreateReferral(ev.officer(), NewReferral{CaseID: id, Service: "shelter", Urgency: "normal"}); !errors.Is(err, ErrAnonymous) {
		t.Fatalf("err %v", err)
	}
	if ev.grants.count() != 0 {
		t.Fatal("a grant was asked for an anonymous notification")
	}
}

func TestIllegalTransitionsNameTheAllowedOnes(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	a := ev.provider(t, shelter("MA-06", 5))
	r := ev.refer(t, ev.adult("MA-06", 0), "normal", a)
	cw := as(a, auth.RoleNGOCaseworker)
	if _, err := ev.s.Complete(cw, r.ID); codeOf(err) != CodeInvalidTransition || !strings.Contains(err.Error(), "allowed: accept, decline, withdraw") {
		t.Fatalf("complete while pending: %v", err)
	}
	for _, step := range []func() (Referral, error){
		func() (Referral, error) { return ev.s.Accept(cw, r.ID) },
		func() (Referral, error) { return ev.s.Arrive(cw, r.ID) },
		func() (Referral, error) { return ev.s.Complete(cw, r.ID) },
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if ev.used(t, a) != 0 {
		t.Fatal("completion did not free the place")
	}
	if _, err := ev.s.Withdraw(ev.officer(), r.ID, WithdrawInput{}); codeOf(err) != CodeInvalidTransition || !strings.Contains(err.Error(), "allowed: none") {
		t.Fatalf("withdraw after completion: %v", err)
	}
}

// A candidate sees codes only before accepting: no case id, no sender, no
// other candidate, and nothing the case summary did not hold as a code.
func TestCandidateSeesNoNameBeforeAcceptance(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	a, b := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
	r, err := ev.s.CreateReferral(ev.officer(), NewReferral{CaseID: ev.adult("MA-06", 2, "ar"), Service: "shelter", Urgency: "emergency", FanOut: 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ev.s.GetReferral(as(b, auth.RoleNGOCaseworker), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(got)
	var fields map[string]any
	_ = json.Unmarshal(raw, &fields)
	allowed := map[string]bool{"id": true, "kind": true, "status": true, "service": true, "urgency": true, "region": true,
		"gender": true, "age_group": true, "languages": true, "group_size": true, "deadline": true, "seconds_left": true,
		"offer_status": true, "created_at": true, "updated_at": true,
		"grant_state": true, "grant_reason": true} // its own grant's state: codes
	for k := range fields {
		if !allowed[k] {
			t.Errorf("candidate sees %q", k)
		}
	}
	if strings.Contains(string(raw), r.CaseID) || strings.Contains(string(raw), ev.police) || strings.Contains(string(raw), a) {
		t.Fatalf("candidate summary holds an id it should not: %s", raw)
	}
	if got.GroupSize != 3 || got.SecondsLeft == nil || *got.SecondsLeft != 7200 {
		t.Fatalf("summary %s", raw)
	}
}
