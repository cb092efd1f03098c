package intake_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// keyRings answers GET /api/v1/keys for tok, by organisation.
func keyRings(t *testing.T, w *realWorld, tok string) (int, map[string]intake.KeyStatus) {
	t.Helper()
	got := call(t, w.srv, tok, "GET", "/api/v1/keys", nil)
	if got.status != 200 {
		return got.status, nil
	}
	var body struct{ Keys []intake.KeyStatus }
	if err := json.Unmarshal([]byte(got.raw), &body); err != nil {
		t.Fatal(err)
	}
	out := map[string]intake.KeyStatus{}
	for _, k := range body.Keys {
		out[k.OrgID] = k
	}
	return got.status, out
}

// TestKeyStatusPerOrganisation: an organisation's admin follows its own
// key ring's rotations (kind, version, dates, what still awaits a re-wrap)
// and no other's; a system admin sees every organisation's; nobody else
// reads them; nothing in the answer is a key.
func TestKeyStatusPerOrganisation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		ctx := context.Background()
		c := w.env.Register(t, w.owner, intaketest.Registration("Keys "+event.NewID()))
		if _, err := w.env.Service.AddEntry(intaketest.Officer(w.owner), c.ID, intake.EntryInput{Type: intake.EntryNote, Content: []byte(`{"text":"n"}`)}); err != nil {
			t.Fatal(err)
		}
		w.env.Register(t, w.other, intaketest.Registration("Other "+event.NewID()))
		ownerAdmin := w.token(t, w.owner, auth.RoleOrgAdmin)

		status, rings := keyRings(t, w, ownerAdmin)
		if status != 200 || len(rings) != 1 {
			t.Fatalf("the owner's admin: %d, %d key rings, want its own only", status, len(rings))
		}
		k := rings[w.owner.ID]
		if k.Version != 1 || k.Kind != "x25519" || k.RotatedAt != nil || k.PendingRewrap != 0 || k.CreatedAt.IsZero() {
			t.Fatalf("before any rotation: %+v", k)
		}
		if _, err := w.env.Admin.RotateOrg(ctx, w.owner.ID); err != nil {
			t.Fatal(err)
		}
		_, rings = keyRings(t, w, ownerAdmin)
		if k := rings[w.owner.ID]; k.Version != 2 || k.RotatedAt == nil || k.PendingRewrap != 0 {
			t.Fatalf("after a rotation: %+v", k)
		}
		// A rotation stopped halfway: a new active identity, the case's
		// wrap and entry key still under the old one.
		a := adminDB(t, w.env)
		for _, q := range []string{
			`UPDATE org_keys SET state = 'retired' WHERE org_id = $1 AND version = 2`,
			`INSERT INTO org_keys (org_id, version, kind, recipient, wrapped_identity, state, created_at, updated_at)
				SELECT org_id, 3, kind, recipient, wrapped_identity, 'active', created_at, updated_at FROM org_keys WHERE org_id = $1 AND version = 2`,
		} {
			if _, err := a.ExecContext(ctx, q, w.owner.ID); err != nil {
				t.Fatal(err)
			}
		}
		_, rings = keyRings(t, w, ownerAdmin)
		if k := rings[w.owner.ID]; k.Version != 3 || k.Retired != 1 || k.PendingRewrap != 2 {
			t.Fatalf("halfway through a rotation: %+v, want the wrap and the entry key pending", k)
		}

		status, rings = keyRings(t, w, w.token(t, w.authority, auth.RoleSystemAdmin))
		if _, other := rings[w.other.ID]; status != 200 || !other || len(rings) < 2 {
			t.Fatalf("the system admin: %d, %d key rings", status, len(rings))
		}
		for _, role := range []string{auth.RoleFrontlineOfficer, auth.RoleAuditor, auth.RoleNGOCaseworker} {
			if got := call(t, w.srv, w.token(t, w.owner, role), "GET", "/api/v1/keys", nil); got.status != 403 {
				t.Errorf("%s: %d, want 403", role, got.status)
			}
		}
		if ev, ok := lastAudit(t, w.env, "intake.keys.read", ""); !ok || ev.Outcome != event.Allowed {
			t.Fatal("the system admin's read of the key rings is not audited")
		}
	})
}
