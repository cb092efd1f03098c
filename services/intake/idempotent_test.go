package intake_test

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

func TestIdempotentRegistration(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e)
		police := env.Org("police")
		officer := intaketest.Officer(police)
		keyed := idempotency.WithKey(officer, "7f1c2a4e-registration")
		r := intaketest.Registration("Amina Keyed")

		first, err := env.Service.Register(keyed, r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := env.Service.Register(keyed, r)
		if err != nil {
			t.Fatalf("retry with the same key: %v", err)
		}
		a, _ := json.Marshal(first)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("the retry answered\n%s\nnot the first answer\n%s", b, a)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM cases`); n != 1 {
			t.Fatalf("%d cases after a retried registration, want 1", n)
		}
		// The replay is audited before it is answered.
		if _, ok := lastAudit(t, env, "intake.request.replay", first.ID); !ok {
			t.Fatal("the replayed answer was not audited")
		}

		// The same key with another body is refused and writes nothing.
		other := intaketest.Registration("Someone Else")
		if _, err := env.Service.Register(keyed, other); !isCode(err, idempotency.CodeKeyReused) {
			t.Fatalf("same key, other body: %v, want %s", err, idempotency.CodeKeyReused)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM cases`); n != 1 {
			t.Fatalf("%d cases after a refused reuse, want 1", n)
		}

		// Attack: another user of the same organisation sending the same
		// key and body gets a case of their own, never the first user's
		// outcome.
		colleague := idempotency.WithKey(intaketest.Officer(police), "7f1c2a4e-registration")
		theirs, err := env.Service.Register(colleague, r)
		if err != nil {
			t.Fatal(err)
		}
		if theirs.ID == first.ID {
			t.Fatal("another user's key replayed someone else's registration")
		}

		// Without a key, today's behaviour: two requests, two cases.
		for range 2 {
			if _, err := env.Service.Register(officer, r); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, env, `SELECT COUNT(*) FROM cases`); n != 4 {
			t.Fatalf("%d cases, want 4", n)
		}
	})
}

func isCode(err error, code string) bool {
	return err != nil && kit.AsError(err).Code == code
}

func TestIdempotencyKeyMalformed(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	officer := intaketest.Officer(env.Org("police"))
	for name, key := range map[string]string{"empty": "", "too long": strings.Repeat("k", 256), "control": "a\x01b", "non-ASCII": "clé"} {
		_, err := env.Service.Register(idempotency.WithKey(officer, key), intaketest.Registration("Amina"))
		if !isCode(err, idempotency.CodeKeyInvalid) || kit.AsError(err).Status != 400 ||
			!strings.Contains(kit.AsError(err).Message, "Idempotency-Key") {
			t.Errorf("%s key: %v, want 400 %s naming the header", name, err, idempotency.CodeKeyInvalid)
		}
	}
	if n := count(t, env, `SELECT COUNT(*) FROM cases`); n != 0 {
		t.Fatalf("%d cases written for malformed keys", n)
	}
}

// TestIdempotentRetryAfterLostCommit: the connection breaks after the
// registration's commit was sent (the transaction committed, the answer
// is lost). Without a key the client is told the outcome is unknown (503
// commit_unknown, Retry-After), never a plain 500. With a key the service
// looks the key up at once and answers the case that was written; a
// retry gets it again: one case, not two.
func TestIdempotentRetryAfterLostCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e)
		police := env.Org("police")
		officer := intaketest.Officer(police)
		env.Register(t, police, intaketest.Registration("Warm Up")) // the organisation's keys exist
		var armed atomic.Bool
		env.DB.SetCommitFault(func() error {
			if armed.CompareAndSwap(true, false) {
				return driver.ErrBadConn
			}
			return nil
		})
		t.Cleanup(func() { env.DB.SetCommitFault(nil) })

		armed.Store(true)
		_, err := env.Service.Register(officer, intaketest.Registration("Amina Unkeyed"))
		if ke := kit.AsError(err); ke.Status != 503 || ke.Code != kit.CodeCommitUnknown || ke.RetryAfter <= 0 {
			t.Fatalf("lost commit answered %v, want 503 %s with Retry-After", err, kit.CodeCommitUnknown)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM cases`); n != 2 {
			t.Fatalf("%d cases, want 2: the fault must strike after the commit", n)
		}

		keyed := idempotency.WithKey(officer, "lost-commit-1")
		r := intaketest.Registration("Amina Lost")
		armed.Store(true)
		c, err := env.Service.Register(keyed, r)
		if err != nil {
			t.Fatalf("keyed registration whose commit answer was lost: %v", err)
		}
		if armed.Load() {
			t.Fatal("the fault did not strike")
		}
		again, err := env.Service.Register(keyed, r)
		if err != nil || again.ID != c.ID {
			t.Fatalf("retry: %v, %s; want %s", err, again.ID, c.ID)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM cases`); n != 3 {
			t.Fatalf("%d cases, want 3: the retry registered the person twice", n)
		}
		if _, ok := lastAudit(t, env, "intake.request.replay", c.ID); !ok {
			t.Fatal("the committed registration was not answered from its record")
		}
	})
}

func TestIdempotencyKeysExpire(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e, func(c *intake.Config) { c.IdempotencyTTL = time.Hour })
		keyed := idempotency.WithKey(intaketest.Officer(env.Org("police")), "expiring")
		r := intaketest.Registration("Amina Expiring")
		first, err := env.Service.Register(keyed, r)
		if err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(59 * time.Minute)
		if c, err := env.Service.Register(keyed, r); err != nil || c.ID != first.ID {
			t.Fatalf("within the hour: %v, %s; want the first case", err, c.ID)
		}
		env.Clock.Advance(2 * time.Minute)
		second, err := env.Service.Register(keyed, r)
		if err != nil {
			t.Fatal(err)
		}
		if second.ID == first.ID {
			t.Fatal("an expired key still named its outcome")
		}
		// The expired record was swept: only the new one is left.
		if n := count(t, env, `SELECT COUNT(*) FROM idempotency_keys`); n != 1 {
			t.Fatalf("%d records, want 1 after the sweep", n)
		}
	})
}

func TestIdempotentWorkflowWrites(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e)
		police := env.Org("police")
		env.Org(intake.OrgKindCompetentAuthority)
		officer := intaketest.Officer(police)
		c := env.Register(t, police, intaketest.Registration("Amina Workflow"))

		// An entry sent twice with one key is written once.
		keyed := idempotency.WithKey(officer, "entry-1")
		in := intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"met at the shelter"}`)}
		e1, err := env.Service.AddEntry(keyed, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := env.Service.AddEntry(keyed, c.ID, in)
		if err != nil || e2.ID != e1.ID {
			t.Fatalf("retried entry: %v, %s; want %s", err, e2.ID, e1.ID)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM entries WHERE case_id = $1 AND type = 'note'`, c.ID); n != 1 {
			t.Fatalf("%d notes, want 1", n)
		}
		// The same key on another case is another request: refused.
		c2 := env.Register(t, police, intaketest.Registration("Other Case"))
		if _, err := env.Service.AddEntry(keyed, c2.ID, in); !isCode(err, idempotency.CodeKeyReused) {
			t.Fatalf("same key, other case: %v", err)
		}

		// A retried submission (a transition) answers the first outcome,
		// not a 409 for a move its own first attempt made.
		sub := idempotency.WithKey(officer, "submit-1")
		to := intake.TransitionRequest{To: intake.DecisionSubmitted}
		if _, err := env.Service.Transition(sub, c.ID, to); err != nil {
			t.Fatal(err)
		}
		w, err := env.Service.Transition(sub, c.ID, to)
		if err != nil || w.DecisionState != intake.DecisionSubmitted {
			t.Fatalf("retried transition: %v, %s", err, w.DecisionState)
		}
		if _, err := env.Service.Transition(officer, c.ID, to); err == nil {
			t.Fatal("without a key, a second submission must still be refused")
		}
	})
}

// A key in the context of a write reaches neither the reads nor the other
// services the write calls: it is consumed by the write it was given for.
func TestIdempotencyKeyNotSeenByReads(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police := env.Org("police")
	c := env.Register(t, police, intaketest.Registration("Amina Reads"))
	ctx := idempotency.WithKey(intaketest.As(police, auth.RoleFrontlineOfficer), "read-key")
	for range 2 {
		if _, err := env.Service.Get(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, env, `SELECT COUNT(*) FROM idempotency_keys`); n != 0 {
		t.Fatalf("%d records for reads", n)
	}
	_ = context.Background
}

// Keyed registrations arriving together are written as one group (group
// commit): each records its own key, under its own caller, in the group's
// transaction, and each retry answers its own case.
func TestIdempotentRegistrationsTogether(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e, func(c *intake.Config) { c.DuplicateChecksPerMinute = 1000 })
		police := env.Org("police")
		env.Register(t, police, intaketest.Registration("Warm Up"))
		const n = 16
		ctxs := make([]context.Context, n)
		ids := make([]string, n)
		errs := make(chan error, n)
		for i := range n {
			ctxs[i] = idempotency.WithKey(intaketest.Officer(police), "together")
			go func() {
				c, err := env.Service.Register(ctxs[i], intaketest.Registration("Person Together"))
				ids[i] = c.ID
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		for i := range n {
			c, err := env.Service.Register(ctxs[i], intaketest.Registration("Person Together"))
			if err != nil || c.ID != ids[i] {
				t.Fatalf("retry %d: %v, %s; want %s", i, err, c.ID, ids[i])
			}
		}
		if got := count(t, env, `SELECT COUNT(*) FROM cases`); got != n+1 {
			t.Fatalf("%d cases, want %d", got, n+1)
		}
		if got := count(t, env, `SELECT COUNT(*) FROM idempotency_keys`); got != n {
			t.Fatalf("%d records, want %d", got, n)
		}
	})
}

// A retried break-the-glass opening answers the opening it made, not the
// 409 its own first attempt causes; a retried disclosure is recorded once.
func TestIdempotentOversightWrites(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		t.Parallel()
		env := intaketest.New(t, e)
		police, desk := env.Org("police"), env.Org("ngo")
		r := intaketest.Registration("Glass Keyed")
		r.IdentifiedOn = time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		c := env.Register(t, police, r)
		coordinator := idempotency.WithKey(intaketest.As(desk, auth.RoleCoordinator), "glass-1")
		in := intake.BreakGlassInput{Reason: "the person called from a hospital"}
		b1, err := env.Service.BreakGlass(coordinator, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := env.Service.BreakGlass(coordinator, c.ID, in)
		if err != nil || b2.ID != b1.ID || !b2.ExpiresAt.Equal(b1.ExpiresAt) {
			t.Fatalf("retried opening: %v, %+v; want %+v", err, b2, b1)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM break_glass WHERE case_id = $1`, c.ID); n != 1 {
			t.Fatalf("%d openings, want 1", n)
		}

		officer := intaketest.Officer(police)
		if _, err := env.Service.RecordConsent(officer, c.ID, intake.ConsentInput{Assistance: true, NRMReferral: true,
			DataSharing: true, ShareWith: []string{"ngo"}}); err != nil {
			t.Fatal(err)
		}
		keyed := idempotency.WithKey(officer, "disclose-1")
		din := intake.DisclosureInput{RecipientKind: "ngo", LegalBasis: "consent", Sections: []string{"identity"}}
		d1, err := env.Service.Disclose(keyed, c.ID, din)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := env.Service.Disclose(keyed, c.ID, din)
		if err != nil || d2.ID != d1.ID {
			t.Fatalf("retried disclosure: %v, %s; want %s", err, d2.ID, d1.ID)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM disclosures WHERE case_id = $1`, c.ID); n != 1 {
			t.Fatalf("%d disclosures, want 1", n)
		}
	})
}
