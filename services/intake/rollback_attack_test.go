package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestRevokedWrapRestoredOpensNothing replays issue 18's rollback: with
// write access to the database but not to the keys, an attacker puts a
// revoked organisation's old wrap row back and sets its grant active. The
// revocation re-keyed what it could read, so the old wrap opens nothing:
// neither the sections nor an entry written after the revocation. The
// same holds whether the owner revoked the grant or the person withdrew
// the consent it stood on.
func TestRevokedWrapRestoredOpensNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		for _, way := range revocations {
			t.Run(way.name, func(t *testing.T) {
				ctx := context.Background()
				owner := intaketest.Officer(w.owner)
				name := "Rolled Back " + event.NewID()
				c := w.env.Register(t, w.owner, intaketest.Registration(name))
				g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: w.grantee.ID,
					Sections: []string{intake.SectionNarrative, intake.SectionHealth}, Purpose: "referral"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.env.Service.ActivateGrant(intaketest.As(w.grantee, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
					t.Fatal(err)
				}
				grantee := w.token(t, w.grantee, auth.RoleNGOCaseworker)
				if got := call(t, w.srv, grantee, "GET", "/api/v1/cases/"+c.ID, nil); got.status != 200 || !strings.Contains(got.raw, "account of "+name) {
					t.Fatalf("the grantee cannot read its grant before the revocation: %d", got.status)
				}

				// The attacker's copy of the wrap row, taken while the grant was active.
				var (
					version            int
					held               string
					wrap, mac, secMACs []byte
				)
				if err := w.env.DB.QueryRowContext(ctx, `SELECT key_version, held, wrap, mac, section_macs FROM wraps WHERE case_id = $1 AND org_id = $2`,
					c.ID, w.grantee.ID).Scan(&version, &held, &wrap, &mac, &secMACs); err != nil {
					t.Fatal(err)
				}
				ownerTok := w.token(t, w.owner, auth.RoleFrontlineOfficer)
				way.revoke(t, w, ownerTok, c.ID, g.ID)
				after := note(t, w.env, owner, c.ID, "written after the revocation")

				// The attack: the old wrap row back, the grant active again.
				for _, q := range []struct {
					sql  string
					args []any
				}{
					{`DELETE FROM wraps WHERE case_id = $1 AND org_id = $2`, []any{c.ID, w.grantee.ID}},
					{`INSERT INTO wraps (case_id, org_id, key_version, held, wrap, mac, section_macs, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, CURRENT_TIMESTAMP)`, []any{c.ID, w.grantee.ID, version, held, wrap, mac, secMACs}},
					{`UPDATE grants SET status = 'active' WHERE id = $1`, []any{g.ID}},
				} {
					if _, err := w.env.DB.ExecContext(ctx, q.sql, q.args...); err != nil {
						t.Fatalf("attack: %v", err)
					}
				}
				got := call(t, w.srv, grantee, "GET", "/api/v1/cases/"+c.ID, nil)
				if strings.Contains(got.raw, "account of "+name) || strings.Contains(got.raw, "health notes") {
					t.Fatalf("the restored wrap opens the sections again: %d %s", got.status, got.raw)
				}
				later := note(t, w.env, owner, c.ID, "written after the attack")
				for id, when := range map[string]string{after: "the revocation", later: "the attack"} {
					if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, id, w.grantee.ID); n != 0 {
						t.Fatalf("an entry written after %s is wrapped to the revoked organisation", when)
					}
				}
				// The owner still reads everything.
				if got := call(t, w.srv, ownerTok, "GET", "/api/v1/cases/"+c.ID, nil); got.status != 200 || !strings.Contains(got.raw, "account of "+name) {
					t.Fatalf("the owner lost its case: %d", got.status)
				}
			})
		}
	})
}

// revocations are the ways a provider's grant ends early.
var revocations = []struct {
	name   string
	revoke func(t *testing.T, w *realWorld, ownerTok, caseID, grantID string)
}{
	{"the owner revokes", func(t *testing.T, w *realWorld, ownerTok, caseID, grantID string) {
		if got := call(t, w.srv, ownerTok, "POST", "/api/v1/cases/"+caseID+"/grants/"+grantID+"/revoke", nil); got.status != 204 {
			t.Fatalf("revoke: %d (%s)", got.status, got.code)
		}
	}},
	{"the person withdraws consent to sharing", func(t *testing.T, w *realWorld, ownerTok, caseID, _ string) {
		if got := call(t, w.srv, ownerTok, "POST", "/api/v1/cases/"+caseID+"/consents",
			map[string]any{"assistance": true, "nrm_referral": true, "data_sharing": false}); got.status != 201 {
			t.Fatalf("consent: %d (%s)", got.status, got.code)
		}
	}},
}
