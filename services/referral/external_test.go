package referral

import (
	"context"
	"net/http"
	"testing"

	"filippo.io/age"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestOnlyTheOwnerDisclosesOutside replays issue 18's attack: a provider
// that only holds a grant on the case (it accepted a referral) creates an
// external referral to a key of its choosing and downloads the package.
// External referrals are the owner's act (or the competent authority's
// for international cooperation), recorded in the case's disclosures;
// across a border a second user of the owner's organisation approves
// first; a consent basis needs the consent.
func TestOnlyTheOwnerDisclosesOutside(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		tok := tokens{}
		srv := ev.server(t, tok)
		prov := ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		ev.plant(caseID)
		r := ev.refer(t, caseID, "normal", prov)
		if _, err := ev.s.Accept(as(prov, auth.RoleNGOCaseworker), r.ID); err != nil {
			t.Fatal(err)
		}
		// The grantee may see the case as intake would let it.
		ev.cases.mu.Lock()
		grantee := ev.cases.cases[caseID]
		ev.cases.mu.Unlock()
		ev.s.cases = granteeCases{ev.cases, prov, grantee.ID}

		officer, officer2 := event.NewID(), event.NewID()
		tok["officer"] = auth.Principal{UserID: officer, OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}
		tok["officer2"] = auth.Principal{UserID: officer2, OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}
		tok["grantee"] = auth.Principal{UserID: event.NewID(), OrgID: prov, Roles: []string{auth.RoleNGOCaseworker}}
		tok["authority"] = auth.Principal{UserID: event.NewID(), OrgID: authorityOrg, Roles: []string{auth.RoleDecisionMaker}}
		x, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		ext := func(dest, basis string) map[string]any {
			return map[string]any{"case_id": caseID, "service": "legal_aid", "kind": "external", "legal_basis": basis,
				"destination": dest, "recipient": x.Recipient().String()}
		}

		t.Run("a grantee cannot refer outside", func(t *testing.T) {
			for _, dest := range []string{"ngo", "ES"} {
				st, body := call(t, srv.URL, srv.Client(), "grantee", "POST", "/api/v1/referrals", ext(dest, "vital_interest"))
				if st != http.StatusForbidden {
					t.Fatalf("%s: status %d, want 403: %v", dest, st, body)
				}
			}
			if n := len(ev.discl.of(caseID)); n != 0 {
				t.Fatalf("%d disclosures recorded", n)
			}
		})
		t.Run("the owner refers within the country, recorded in the case", func(t *testing.T) {
			st, body := call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals", ext("ngo", "vital_interest"))
			if st != http.StatusCreated || body["status"] != StatusDisclosed || body["disclosure_id"] == "" {
				t.Fatalf("status %d: %v", st, body)
			}
			ds := ev.discl.of(caseID)
			if len(ds) != 1 || ds[0].RecipientKind != "ngo" || ds[0].LegalBasis != "vital_interest" || ds[0].UserID != officer {
				t.Fatalf("recorded %+v", ds)
			}
			st, _ = call(t, srv.URL, srv.Client(), "officer", "GET", "/api/v1/referrals/"+body["id"].(string)+"/package", nil)
			if st != http.StatusOK {
				t.Fatalf("package %d", st)
			}
		})
		t.Run("consent must cover it", func(t *testing.T) {
			ev.discl.mu.Lock()
			ev.discl.noConsent[caseID] = true
			ev.discl.mu.Unlock()
			t.Cleanup(func() {
				ev.discl.mu.Lock()
				delete(ev.discl.noConsent, caseID)
				ev.discl.mu.Unlock()
			})
			st, body := call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals", ext("ngo", "consent"))
			if st != http.StatusConflict || body["error"].(map[string]any)["code"] != "consent_required" {
				t.Fatalf("status %d: %v", st, body)
			}
		})
		t.Run("across a border a second person approves", func(t *testing.T) {
			before := len(ev.discl.of(caseID))
			st, body := call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals", ext("ES", "vital_interest"))
			if st != http.StatusCreated || body["status"] != StatusAwaitingApproval {
				t.Fatalf("status %d: %v", st, body)
			}
			id := body["id"].(string)
			if st, _ := call(t, srv.URL, srv.Client(), "officer", "GET", "/api/v1/referrals/"+id+"/package", nil); st != http.StatusConflict {
				t.Fatalf("package before approval: %d", st)
			}
			if st, _ := call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals/"+id+"/approve", nil); st != http.StatusForbidden {
				t.Fatalf("self-approval: %d", st)
			}
			if st, _ := call(t, srv.URL, srv.Client(), "grantee", "POST", "/api/v1/referrals/"+id+"/approve", nil); st != http.StatusNotFound {
				t.Fatalf("approval by another organisation: %d", st)
			}
			if n := len(ev.discl.of(caseID)); n != before {
				t.Fatalf("recorded before approval: %d", n-before)
			}
			st, body = call(t, srv.URL, srv.Client(), "officer2", "POST", "/api/v1/referrals/"+id+"/approve", nil)
			if st != http.StatusOK || body["status"] != StatusDisclosed || body["approved_by"] != officer2 {
				t.Fatalf("approval %d: %v", st, body)
			}
			ds := ev.discl.of(caseID)
			if len(ds) != before+1 || ds[len(ds)-1].RecipientKind != "foreign_authority" {
				t.Fatalf("recorded %+v", ds)
			}
			if st, _ := call(t, srv.URL, srv.Client(), "officer", "GET", "/api/v1/referrals/"+id+"/package", nil); st != http.StatusOK {
				t.Fatalf("package after approval: %d", st)
			}
		})
		t.Run("the competent authority for international cooperation only", func(t *testing.T) {
			ev.s.cases = granteeCases{ev.cases, authorityOrg, caseID}
			st, _ := call(t, srv.URL, srv.Client(), "authority", "POST", "/api/v1/referrals", ext("ngo", "vital_interest"))
			if st != http.StatusForbidden {
				t.Fatalf("authority without international cooperation: %d", st)
			}
			st, body := call(t, srv.URL, srv.Client(), "authority", "POST", "/api/v1/referrals", ext("ngo", LegalBasisInternationalCooperation))
			if st != http.StatusCreated {
				t.Fatalf("authority for international cooperation: %d %v", st, body)
			}
		})
	})
}

// granteeCases lets one more organisation see one case, as intake lets a
// grantee or the deciding authority.
type granteeCases struct {
	*fakeCases
	org, caseID string
}

func (g granteeCases) Summary(ctx context.Context, id string) (CaseSummary, error) {
	p, _ := auth.FromContext(ctx)
	if p.OrgID == g.org && id == g.caseID {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.cases[id], nil
	}
	return g.fakeCases.Summary(ctx, id)
}

// TestForeignRecipientNeedsASecondPerson replays issue 18's review: the
// owner's officer names a domestic-sounding destination ("court") but a
// foreign recipient kind, or a destination no policy knows to be in the
// country, and the package left with no second person's approval.
func TestForeignRecipientNeedsASecondPerson(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		tok := tokens{}
		srv := ev.server(t, tok)
		caseID := ev.adult("MA-06", 0)
		ev.plant(caseID)
		tok["officer"] = auth.Principal{UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}
		x, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, dest, kind, want string
		}{
			{"a foreign authority behind a court", "court", "foreign_authority", StatusAwaitingApproval},
			{"an embassy", "court", "embassy", StatusAwaitingApproval},
			{"an international organisation", "ngo", "international_org", StatusAwaitingApproval},
			{"a destination not known to be in the country", "tribunal_abroad", "court", StatusAwaitingApproval},
			{"another country", "ES", "", StatusAwaitingApproval},
			{"a court in the country", "court", "court", StatusDisclosed},
			{"an organisation in the country", "ngo", "", StatusDisclosed},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := map[string]any{"case_id": caseID, "service": "legal_aid", "kind": "external", "legal_basis": "vital_interest",
					"destination": c.dest, "recipient": x.Recipient().String()}
				if c.kind != "" {
					in["recipient_kind"] = c.kind
				}
				st, body := call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals", in)
				if st != http.StatusCreated || body["status"] != c.want {
					t.Fatalf("status %d, want 201 %s: %v", st, c.want, body)
				}
			})
		}
	})
}
