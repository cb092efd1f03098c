package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestNewOwnerSeesAndRevokesWhatThePreviousOwnerAuthored replays issue
// 18's last transfer finding over HTTP: after a transfer the previous owner
// kept reading what it authored, which the new owner could neither see
// among the case's grants nor revoke, and the new owner could not read the
// entries the previous owner wrote (their keys stayed with their author).
func TestNewOwnerSeesAndRevokesWhatThePreviousOwnerAuthored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		ctx := context.Background()
		name := "Handed Over " + event.NewID()
		c := w.env.Register(t, w.owner, intaketest.Registration(name))
		mine := note(t, w.env, intaketest.Officer(w.owner), c.ID, "the previous owner's note")
		prev := w.token(t, w.owner, auth.RoleFrontlineOfficer)
		if got := call(t, w.srv, prev, "POST", "/api/v1/cases/"+c.ID+"/transfer", map[string]string{"org_id": w.target.ID}); got.status != 200 {
			t.Fatalf("transfer: %d (%s)", got.status, got.code)
		}
		next := w.token(t, w.target, auth.RoleNGOCaseworker)
		if !readableEntries(t, w, next, c.ID)[mine] {
			t.Fatal("the new owner cannot read the entry the previous owner wrote")
		}

		// The previous owner's retained access is a grant the new owner sees.
		got := call(t, w.srv, next, "GET", "/api/v1/cases/"+c.ID+"/grants", nil)
		if got.status != 200 {
			t.Fatalf("grants: %d (%s)", got.status, got.code)
		}
		var authored string
		list, _ := got.decoded["grants"].([]any)
		for _, raw := range list {
			g, _ := raw.(map[string]any)
			if g["org_id"] == w.owner.ID && g["purpose"] == "authored" && g["status"] == "active" {
				authored, _ = g["id"].(string)
				if secs, _ := g["sections"].([]any); len(secs) != 4 {
					t.Fatalf("the authored grant names %v, want the four sections registered", secs)
				}
			}
		}
		if authored == "" {
			t.Fatalf("the new owner does not see what the previous owner kept: %s", got.raw)
		}
		if got := call(t, w.srv, prev, "GET", "/api/v1/cases/"+c.ID, nil); got.status != 200 || !strings.Contains(got.raw, "account of "+name) {
			t.Fatalf("the previous owner lost what it authored before any revocation: %d", got.status)
		}

		// The attacker's copy of the previous owner's wrap, before the revocation.
		var (
			version            int
			held               string
			wrap, mac, secMACs []byte
		)
		if err := w.env.DB.QueryRowContext(ctx, `SELECT key_version, held, wrap, mac, section_macs FROM wraps WHERE case_id = $1 AND org_id = $2`,
			c.ID, w.owner.ID).Scan(&version, &held, &wrap, &mac, &secMACs); err != nil {
			t.Fatal(err)
		}
		if got := call(t, w.srv, next, "POST", "/api/v1/cases/"+c.ID+"/grants/"+authored+"/revoke", nil); got.status != 204 {
			t.Fatalf("the new owner revokes what the previous owner authored: %d (%s)", got.status, got.code)
		}
		if got := call(t, w.srv, prev, "GET", "/api/v1/cases/"+c.ID, nil); got.status != 404 {
			t.Fatalf("the previous owner reads the case after the revocation: %d", got.status)
		}
		if got := call(t, w.srv, prev, "GET", "/api/v1/cases/"+c.ID+"/entries", nil); got.status != 404 {
			t.Fatalf("the previous owner lists the entries after the revocation: %d", got.status)
		}
		for q, what := range map[string]string{
			`SELECT COUNT(*) FROM wraps WHERE case_id = $1 AND org_id = $2`:                                                "its wrap",
			`SELECT COUNT(*) FROM entry_keys k JOIN entries e ON e.id = k.entry_id WHERE e.case_id = $1 AND k.org_id = $2`: "its entry keys",
		} {
			if n := count(t, w.env, q, c.ID, w.owner.ID); n != 0 {
				t.Fatalf("the previous owner keeps %s after the revocation", what)
			}
		}
		// The new owner still reads everything, sections re-keyed.
		if got := call(t, w.srv, next, "GET", "/api/v1/cases/"+c.ID, nil); got.status != 200 || !strings.Contains(got.raw, "account of "+name) {
			t.Fatalf("the new owner lost the case: %d", got.status)
		}
		if !readableEntries(t, w, next, c.ID)[mine] {
			t.Fatal("the new owner lost the previous owner's entry")
		}

		// The insider's attack: the old wrap back and the authored grant active.
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO wraps (case_id, org_id, key_version, held, wrap, mac, section_macs, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, CURRENT_TIMESTAMP)`, []any{c.ID, w.owner.ID, version, held, wrap, mac, secMACs}},
			{`UPDATE grants SET status = 'active' WHERE id = $1`, []any{authored}},
		} {
			if _, err := w.env.DB.ExecContext(ctx, q.sql, q.args...); err != nil {
				t.Fatalf("attack: %v", err)
			}
		}
		if got := call(t, w.srv, prev, "GET", "/api/v1/cases/"+c.ID, nil); strings.Contains(got.raw, "account of "+name) {
			t.Fatalf("the restored wrap opens the sections again: %d", got.status)
		}
	})
}
