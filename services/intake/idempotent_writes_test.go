package intake_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// keyedWrite is one creating POST under test: what it does with the body
// a client retries (same), with another body (other), the audit action
// of its effect (one event per act, committed with it) and who acts.
type keyedWrite struct {
	name   string
	action string
	setup  func(t *testing.T, env *intaketest.Env) keyedCase
}

type keyedCase struct {
	// actor makes the first request; colleague is another user of the
	// same organisation holding the same role.
	actor, colleague context.Context
	same, other      func(ctx context.Context) (any, error)
}

// asUser is a fixed user of org with roles: every call with it is the
// same caller.
func asUser(org intake.OrgInfo, roles ...string) context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{UserID: event.NewID(), OrgID: org.ID, Roles: roles})
}

func anonymousOf(t *testing.T, env *intaketest.Env, org intake.OrgInfo) string {
	t.Helper()
	r := intaketest.Registration("")
	r.Route, r.Consent, r.Identity, r.Narrative, r.Health, r.Legal = intake.RouteAnonymous, intake.ConsentInput{}, nil, nil, nil, nil
	return env.Register(t, org, r).ID
}

var keyedWrites = []keyedWrite{
	{"consent", "intake.consent.record", func(t *testing.T, env *intaketest.Env) keyedCase {
		police := env.Org("police")
		c := env.Register(t, police, intaketest.Registration("Keyed Consent"))
		return keyedCase{
			actor: asUser(police, auth.RoleFrontlineOfficer), colleague: asUser(police, auth.RoleFrontlineOfficer),
			same: func(ctx context.Context) (any, error) {
				return env.Service.RecordConsent(ctx, c.ID, intake.ConsentInput{Assistance: true, NRMReferral: true})
			},
			other: func(ctx context.Context) (any, error) {
				return env.Service.RecordConsent(ctx, c.ID, intake.ConsentInput{Assistance: true})
			},
		}
	}},
	{"grant", "intake.grant.create", func(t *testing.T, env *intaketest.Env) keyedCase {
		police, ngo := env.Org("police"), env.Org("ngo")
		c := env.Register(t, police, intaketest.Registration("Keyed Grant"))
		grant := func(sec string) func(ctx context.Context) (any, error) {
			return func(ctx context.Context) (any, error) {
				return env.Service.GrantPending(ctx, intake.GrantRequest{CaseID: c.ID, OrgID: ngo.ID, Sections: []string{sec}, Purpose: "referral"})
			}
		}
		return keyedCase{
			actor: asUser(police, auth.RoleFrontlineOfficer), colleague: asUser(police, auth.RoleFrontlineOfficer),
			same: grant(intake.SectionNarrative), other: grant(intake.SectionHealth),
		}
	}},
	{"guardian", "intake.guardian.appoint", func(t *testing.T, env *intaketest.Env) keyedCase {
		ngo, guardianOrg := env.Org("ngo"), env.Org("ngo")
		r := intaketest.Registration("Keyed Child")
		r.AgeGroup, r.Consent = "unknown", intake.ConsentInput{Assistance: true}
		c := env.Register(t, ngo, r)
		env.Orgs.OfferChildProtection(guardianOrg)
		appoint := func(user string) func(ctx context.Context) (any, error) {
			return func(ctx context.Context) (any, error) {
				return env.Service.AppointGuardian(ctx, c.ID, intake.GuardianInput{UserID: user, OrgID: guardianOrg.ID})
			}
		}
		return keyedCase{
			actor: asUser(ngo, auth.RoleNGOCaseworker), colleague: asUser(ngo, auth.RoleNGOCaseworker),
			same: appoint(env.Orgs.AddGuardian(guardianOrg)), other: appoint(env.Orgs.AddGuardian(guardianOrg)),
		}
	}},
	{"route change", "intake.case.route", func(t *testing.T, env *intaketest.Env) keyedCase {
		police := env.Org("police")
		r := intaketest.Registration("Keyed Route")
		r.Route, r.Consent = intake.RouteAssistance, intake.ConsentInput{Assistance: true}
		c := env.Register(t, police, r)
		if _, err := env.Service.RecordConsent(intaketest.Officer(police), c.ID, intake.ConsentInput{Assistance: true, NRMReferral: true}); err != nil {
			t.Fatal(err)
		}
		return keyedCase{
			actor: asUser(police, auth.RoleFrontlineOfficer), colleague: asUser(police, auth.RoleFrontlineOfficer),
			same: func(ctx context.Context) (any, error) {
				return env.Service.ChangeRoute(ctx, c.ID, intake.RouteChange{Route: intake.RouteNRM})
			},
			other: func(ctx context.Context) (any, error) {
				return env.Service.ChangeRoute(ctx, c.ID, intake.RouteChange{Route: intake.RouteAssistance})
			},
		}
	}},
	{"transfer", "intake.case.transfer", func(t *testing.T, env *intaketest.Env) keyedCase {
		police, ngo, other := env.Org("police"), env.Org("ngo"), env.Org("ngo")
		c := env.Register(t, police, intaketest.Registration("Keyed Transfer"))
		to := func(org intake.OrgInfo) func(ctx context.Context) (any, error) {
			return func(ctx context.Context) (any, error) { return env.Service.Transfer(ctx, c.ID, org.ID) }
		}
		return keyedCase{
			actor: asUser(police, auth.RoleFrontlineOfficer), colleague: asUser(police, auth.RoleFrontlineOfficer),
			same: to(ngo), other: to(other),
		}
	}},
	{"case link", "intake.notification.link", func(t *testing.T, env *intaketest.Env) keyedCase {
		police := env.Org("police")
		c := env.Register(t, police, intaketest.Registration("Keyed Link"))
		n1, n2 := anonymousOf(t, env, police), anonymousOf(t, env, police)
		link := func(n string) func(ctx context.Context) (any, error) {
			return func(ctx context.Context) (any, error) { return nil, env.Service.LinkNotification(ctx, c.ID, n) }
		}
		return keyedCase{
			actor: asUser(police, auth.RoleFrontlineOfficer), colleague: asUser(police, auth.RoleFrontlineOfficer),
			same: link(n1), other: link(n2),
		}
	}},
	{"legal hold", "intake.legal_hold.place", func(t *testing.T, env *intaketest.Env) keyedCase {
		police, commission := env.Org("police"), env.Org("commission")
		c := env.Register(t, police, intaketest.Registration("Keyed Hold"))
		hold := func(code string) func(ctx context.Context) (any, error) {
			return func(ctx context.Context) (any, error) {
				return env.Service.PlaceLegalHold(ctx, c.ID, intake.LegalHoldInput{ReasonCode: code})
			}
		}
		return keyedCase{
			actor: asUser(commission, auth.RoleAuditor), colleague: asUser(commission, auth.RoleAuditor),
			same: hold("litigation"), other: hold("inquiry"),
		}
	}},
	{"legal hold release", "intake.legal_hold.release", func(t *testing.T, env *intaketest.Env) keyedCase {
		police, commission := env.Org("police"), env.Org("commission")
		c := env.Register(t, police, intaketest.Registration("Keyed Release"))
		if _, err := env.Service.PlaceLegalHold(intaketest.As(commission, auth.RoleAuditor), c.ID, intake.LegalHoldInput{ReasonCode: "litigation"}); err != nil {
			t.Fatal(err)
		}
		release := func(code string) func(ctx context.Context) (any, error) {
			return func(ctx context.Context) (any, error) {
				return env.Service.ReleaseLegalHold(ctx, c.ID, intake.LegalHoldInput{ReasonCode: code})
			}
		}
		return keyedCase{
			actor: asUser(commission, auth.RoleAuditor), colleague: asUser(commission, auth.RoleAuditor),
			same: release("settled"), other: release("withdrawn"),
		}
	}},
	{"duplicate confirmation", "intake.duplicate.confirm", func(t *testing.T, env *intaketest.Env) keyedCase {
		police, desk := env.Org("police"), env.Org("commission")
		d, _, _ := duplicatePair(t, env, police)
		decide := func(same bool) func(ctx context.Context) (any, error) {
			return func(ctx context.Context) (any, error) { return env.Service.ConfirmDuplicate(ctx, d.ID, same) }
		}
		return keyedCase{
			actor: asUser(desk, auth.RoleCoordinator), colleague: asUser(desk, auth.RoleCoordinator),
			same: decide(true), other: decide(false),
		}
	}},
}

// auditCount counts the allowed audit events of action: a change commits
// with exactly one, so it counts the acts.
func auditCount(t *testing.T, env *intaketest.Env, action string) int {
	t.Helper()
	n := 0
	for _, e := range auditEvents(t, env) {
		if e.Action == action && e.Outcome == event.Allowed {
			n++
		}
	}
	return n
}

// replaysBy counts the requests of user answered from a record, the
// answer given or refused.
func replaysBy(t *testing.T, env *intaketest.Env, user string) int {
	t.Helper()
	n := 0
	for _, e := range auditEvents(t, env) {
		if e.Action == "intake.request.replay" && e.ActorUser == user {
			n++
		}
	}
	return n
}

// TestIdempotentCreatingWrites: each creating POST sent again with its
// Idempotency-Key (the answer was lost on a mobile network) answers what
// it answered the first time and acts once; the key with another body is
// refused (422 idempotency_key_reused) and acts not at all; and another
// user of the same organisation sending the same key and body is never
// given the first user's answer (nor told the key is taken): their
// request is their own.
func TestIdempotentCreatingWrites(t *testing.T) {
	t.Parallel()
	for _, tc := range keyedWrites {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				t.Parallel()
				env := intaketest.New(t, e, func(c *intake.Config) { c.DuplicateChecksPerMinute = 1000 })
				kc := tc.setup(t, env)
				const key = "3b0c9f1e-keyed-write"
				keyed := idempotency.WithKey(kc.actor, key)
				before := auditCount(t, env, tc.action)

				first, err := kc.same(keyed)
				if err != nil {
					t.Fatalf("first: %v", err)
				}
				if n := auditCount(t, env, tc.action); n != before+1 {
					t.Fatalf("%d %s events after the first request, want %d", n, tc.action, before+1)
				}
				again, err := kc.same(keyed)
				if err != nil {
					t.Fatalf("retry with the same key: %v", err)
				}
				a, _ := json.Marshal(first)
				b, _ := json.Marshal(again)
				if string(a) != string(b) {
					t.Fatalf("the retry answered\n%s\nnot the first answer\n%s", b, a)
				}
				if n := auditCount(t, env, tc.action); n != before+1 {
					t.Fatalf("%d %s events after the retry, want %d: it acted twice", n, tc.action, before+1)
				}
				user, _ := auth.FromContext(kc.actor)
				if replaysBy(t, env, user.UserID) != 1 {
					t.Fatal("the replayed answer was not audited")
				}

				if _, err := kc.other(keyed); !isCode(err, idempotency.CodeKeyReused) {
					t.Fatalf("same key, other body: %v, want %s", err, idempotency.CodeKeyReused)
				}
				if n := auditCount(t, env, tc.action); n != before+1 {
					t.Fatalf("%d %s events after a refused reuse, want %d", n, tc.action, before+1)
				}

				// Attack: a colleague re-using the key is answered as a
				// request of their own, never from the first user's record.
				colleague, _ := auth.FromContext(kc.colleague)
				_, err = kc.same(idempotency.WithKey(kc.colleague, key))
				if isCode(err, idempotency.CodeKeyReused) || isCode(err, idempotency.CodeKeyInUse) {
					t.Fatalf("another user's same key was taken for the first user's: %v", err)
				}
				if n := replaysBy(t, env, colleague.UserID); n != 0 {
					t.Fatalf("another user's same key was answered from the first user's record (%d replays)", n)
				}
			})
		})
	}
}
