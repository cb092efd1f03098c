package intake_test

import (
	"encoding/json"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// childCase registers a child's case without any consent at the owner.
func (w *realWorld) childCase(t *testing.T) string {
	t.Helper()
	r := intaketest.Registration("Child " + event.NewID())
	r.AgeGroup, r.Consent = "child", intake.ConsentInput{}
	return w.env.Register(t, w.owner, r).ID
}

// TestGuardianSeams replays issue 18's guardian findings over HTTP: anyone
// could be appointed, and a replaced guardian kept reading the child's case.
func TestGuardianSeams(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
		social := w.env.Org("social_services")
		plainNGO := w.env.Org("ngo")
		appoint := func(caseID, user string, org intake.OrgInfo) apiResult {
			return call(t, w.srv, officer, "POST", "/api/v1/cases/"+caseID+"/guardian", map[string]string{"user_id": user, "org_id": org.ID})
		}
		tests := []struct {
			name string
			user string
			org  intake.OrgInfo
			want int
		}{
			{"no such user", event.NewID(), social, 422},
			{"a guardian of an organisation that protects no children", w.guardianIn(plainNGO), plainNGO, 422},
			{"a guardian of social services", w.guardianIn(social), social, 200},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := appoint(w.childCase(t), tc.user, tc.org); got.status != tc.want {
					t.Fatalf("appointment: %d (%s), want %d", got.status, got.code, tc.want)
				}
			})
		}
		t.Run("a replaced guardian reads no more", func(t *testing.T) {
			caseID := w.childCase(t)
			first, second := w.childProtection(w.env.Org("ngo")), w.env.Org("social_services")
			firstUser := w.guardianIn(first)
			if got := appoint(caseID, firstUser, first); got.status != 200 {
				t.Fatalf("first appointment: %d (%s)", got.status, got.code)
			}
			tok := w.userToken(t, firstUser, first, auth.RoleGuardian)
			if got := call(t, w.srv, tok, "GET", "/api/v1/cases/"+caseID, nil); got.status != 200 {
				t.Fatalf("the guardian cannot read the child's case: %d", got.status)
			}
			if got := appoint(caseID, w.guardianIn(second), second); got.status != 200 {
				t.Fatalf("second appointment: %d (%s)", got.status, got.code)
			}
			if got := call(t, w.srv, tok, "GET", "/api/v1/cases/"+caseID, nil); got.status != 404 {
				t.Fatalf("the replaced guardian reads the case: %d, want 404", got.status)
			}
			if n := count(t, w.env, `SELECT COUNT(*) FROM wraps WHERE case_id = $1 AND org_id = $2`, caseID, first.ID); n != 0 {
				t.Fatal("the replaced guardian's organisation keeps its wrap")
			}
		})
	})
}

// TestChildExemptionsFollowTheRecipient: a child's case was shared without
// consent with any organisation named in a "guardian" or "child_protection"
// request; a transfer checked no consent at all.
func TestChildExemptionsFollowTheRecipient(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
		protector := w.childProtection(w.env.Org("ngo"))
		grant := func(caseID string, org intake.OrgInfo, purpose, service string, sections ...string) apiResult {
			return call(t, w.srv, officer, "POST", "/api/v1/cases/"+caseID+"/grants",
				map[string]any{"org_id": org.ID, "sections": sections, "purpose": purpose, "service": service})
		}
		tests := []struct {
			name     string
			org      intake.OrgInfo
			purpose  string
			service  string
			sections []string
			want     int
		}{
			{"'guardian' to an organisation that is not the guardian's", w.other, "guardian", "", []string{"identity", "legal"}, 409},
			{"'child_protection' to an ngo that offers none", w.other, "referral", "child_protection", []string{"identity"}, 409},
			{"child protection organisation, what child protection needs", protector, "referral", "child_protection", []string{"identity", "narrative"}, 201},
			{"child protection organisation, the legal file", protector, "referral", "child_protection", []string{"legal"}, 409},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := grant(w.childCase(t), tc.org, tc.purpose, tc.service, tc.sections...); got.status != tc.want {
					t.Fatalf("grant: %d (%s), want %d", got.status, got.code, tc.want)
				}
			})
		}
		t.Run("a transfer checks data-sharing consent", func(t *testing.T) {
			r := intaketest.Registration("Adult " + event.NewID())
			r.Consent.ShareWith = []string{"ngo"}
			c := w.env.Register(t, w.owner, r)
			labour := w.env.Org("labour_inspectorate")
			if got := call(t, w.srv, officer, "POST", "/api/v1/cases/"+c.ID+"/transfer", map[string]string{"org_id": labour.ID}); got.status != 409 {
				t.Fatalf("transfer outside the consent: %d (%s), want 409", got.status, got.code)
			}
			if got := call(t, w.srv, officer, "POST", "/api/v1/cases/"+c.ID+"/transfer", map[string]string{"org_id": w.target.ID}); got.status != 200 {
				t.Fatalf("transfer within the consent: %d (%s), want 200", got.status, got.code)
			}
		})
	})
}

// TestPreviousOwnerAndLinkSeams: after a transfer the previous owner kept
// reading everything; any organisation could link a notification it did
// not own.
func TestPreviousOwnerAndLinkSeams(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		officer := w.token(t, w.owner, auth.RoleFrontlineOfficer)
		t.Run("the previous owner keeps only what it authored", func(t *testing.T) {
			c := w.env.Register(t, w.owner, intaketest.Registration("Moved "+event.NewID()))
			mine := note(t, w.env, intaketest.Officer(w.owner), c.ID, "owner's note")
			// A provider's note written while the police owned the case.
			g, err := w.env.Service.GrantPending(intaketest.Officer(w.owner), intake.GrantRequest{CaseID: c.ID, OrgID: w.grantee.ID,
				Sections: []string{intake.SectionNarrative}, Purpose: "referral"})
			if err != nil {
				t.Fatal(err)
			}
			provider := intaketest.As(w.grantee, auth.RoleNGOCaseworker)
			if _, err := w.env.Service.ActivateGrant(provider, c.ID, g.ID); err != nil {
				t.Fatal(err)
			}
			providers := note(t, w.env, provider, c.ID, "provider's note")
			if got := call(t, w.srv, officer, "POST", "/api/v1/cases/"+c.ID+"/transfer", map[string]string{"org_id": w.target.ID}); got.status != 200 {
				t.Fatalf("transfer: %d (%s)", got.status, got.code)
			}
			raw, _ := json.Marshal(map[string]string{"text": "new owner's note"})
			theirs, err := w.env.Service.AddEntry(intaketest.As(w.target, auth.RoleNGOCaseworker), c.ID, intake.EntryInput{Type: intake.EntryNote, Content: raw})
			if err != nil {
				t.Fatal(err)
			}
			reads := readableEntries(t, w, officer, c.ID)
			if !reads[mine] || reads[providers] || reads[theirs.ID] {
				t.Fatalf("previous owner reads its own note %v, the provider's %v, the new owner's %v; want true, false, false",
					reads[mine], reads[providers], reads[theirs.ID])
			}
			// Nor could it with its key: the provider's note is no longer
			// wrapped to it.
			if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, providers, w.owner.ID); n != 0 {
				t.Fatal("the previous owner keeps the key of the provider's note")
			}
		})
		t.Run("linking another organisation's notification", func(t *testing.T) {
			c := w.env.Register(t, w.owner, intaketest.Registration("Came back "+event.NewID()))
			path := "/api/v1/cases/" + c.ID + "/link"
			if got := call(t, w.srv, officer, "POST", path, map[string]string{"notification_id": w.notificationOf(t, w.notifier)}); got.status != 404 {
				t.Fatalf("link of another organisation's notification: %d, want 404", got.status)
			}
			if got := call(t, w.srv, officer, "POST", path, map[string]string{"notification_id": w.notificationOf(t, w.owner)}); got.status != 204 {
				t.Fatalf("link of its own notification: %d (%s), want 204", got.status, got.code)
			}
		})
	})
}
