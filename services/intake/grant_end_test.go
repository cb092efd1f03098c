package intake_test

import (
	"context"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestGrantEndsWithItsService replays issue 18's finding: a provider kept
// reading after its service ended. Over HTTP on both engines: the grantee
// ends its grant, keeps reading for the follow-up window (14 days by
// default), and once it passes reads nothing and is given no new entry.
func TestGrantEndsWithItsService(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		owner := intaketest.Officer(w.owner)
		c := w.env.Register(t, w.owner, intaketest.Registration("Served "+event.NewID()))
		g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: w.grantee.ID,
			Sections: []string{intake.SectionNarrative}, Purpose: "referral", Service: "shelter"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.env.Service.ActivateGrant(intaketest.As(w.grantee, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		grantee := w.token(t, w.grantee, auth.RoleNGOCaseworker)
		path := "/api/v1/cases/" + c.ID + "/grants/" + g.ID + "/end"
		if got := call(t, w.srv, w.token(t, w.other, auth.RoleNGOCaseworker), "POST", path, nil); got.status != 404 {
			t.Fatalf("another organisation ends the grant: %d, want 404", got.status)
		}
		got := call(t, w.srv, grantee, "POST", path, nil)
		if got.status != 200 || got.decoded["ends_at"] == nil {
			t.Fatalf("end: %d (%s) %v", got.status, got.code, got.decoded)
		}
		during := note(t, w.env, owner, c.ID, "during the follow-up")
		if got := call(t, w.srv, grantee, "GET", "/api/v1/cases/"+c.ID, nil); got.status != 200 {
			t.Fatalf("read during the follow-up window: %d", got.status)
		}
		if !readableEntries(t, w, grantee, c.ID)[during] {
			t.Fatal("the provider cannot read a note during the follow-up window")
		}
		if n, err := w.env.Admin.EndGrants(context.Background(), time.Now().Add(13*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("before the window passed: %d ended, %v", n, err)
		}
		if n, err := w.env.Admin.EndGrants(context.Background(), time.Now().Add(15*24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("after the window: %d ended, %v; want 1", n, err)
		}
		if got := call(t, w.srv, grantee, "GET", "/api/v1/cases/"+c.ID, nil); got.status != 404 {
			t.Fatalf("read after the grant ended: %d, want 404", got.status)
		}
		after := note(t, w.env, owner, c.ID, "after the end")
		for _, id := range []string{during, after} {
			if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, id, w.grantee.ID); n != 0 {
				t.Fatal("an entry key is still wrapped to the provider whose grant ended")
			}
		}
	})
}
