package referral

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestPackagePinned replays issue 18's review: an external package was
// rebuilt on every download with no recheck, so after the person withdrew
// data-sharing consent the package still left, with content written after
// the disclosure was approved, without limit. The package is the one built
// when the disclosure was recorded; each download checks the basis and
// consent again; downloads end after the policy's count (3) or window (7
// days), and the package is then forgotten.
func TestPackagePinned(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		tok := tokens{"officer": {UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}}
		srv := ev.server(t, tok)
		x, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		create := func(t *testing.T, basis string) string {
			t.Helper()
			caseID := ev.adult("MA-06", 0)
			ev.plant(caseID)
			st, body := call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals", map[string]any{"case_id": caseID,
				"service": "legal_aid", "kind": "external", "legal_basis": basis, "destination": "ngo",
				"recipient": x.Recipient().String()})
			if st != http.StatusCreated || body["status"] != StatusDisclosed {
				t.Fatalf("create: %d %v", st, body)
			}
			return body["id"].(string)
		}
		download := func(t *testing.T, id string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/referrals/"+id+"/package", nil)
			req.Header.Set("Authorization", "Bearer officer")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := resp.Body.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			return resp.StatusCode, b.String()
		}
		caseOf := func(t *testing.T, id string) string {
			t.Helper()
			r, err := ev.s.store.referral(t.Context(), ev.db, id)
			if err != nil {
				t.Fatal(err)
			}
			return r.CaseID
		}

		t.Run("content written after the disclosure stays in", func(t *testing.T) {
			id := create(t, "vital_interest")
			caseID := caseOf(t, id)
			ev.secs.mu.Lock()
			ev.secs.content[caseID]["narrative"] = []byte(`{"account":"written after the approval"}`)
			ev.secs.mu.Unlock()
			st, body := download(t, id)
			if st != http.StatusOK {
				t.Fatalf("download: %d %s", st, body)
			}
			c, err := decrypt(t, []byte(body), x)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(c.Sections["narrative"]), "after the approval") {
				t.Fatal("the package carries content written after the disclosure was recorded")
			}
			st, again := download(t, id)
			if st != http.StatusOK || again != body {
				t.Fatalf("a second download is not the same package: %d", st)
			}
		})
		t.Run("consent withdrawn stops the download", func(t *testing.T) {
			id := create(t, "consent")
			caseID := caseOf(t, id)
			ev.discl.mu.Lock()
			ev.discl.noConsent[caseID] = true
			ev.discl.mu.Unlock()
			if st, body := download(t, id); st != http.StatusConflict || !strings.Contains(body, "consent_required") {
				t.Fatalf("download after consent was withdrawn: %d %.200s", st, body)
			}
		})
		t.Run("three downloads, then gone", func(t *testing.T) {
			id := create(t, "vital_interest")
			for i := range 3 {
				if st, body := download(t, id); st != http.StatusOK {
					t.Fatalf("download %d: %d %.200s", i+1, st, body)
				}
			}
			if st, _ := download(t, id); st != http.StatusGone {
				t.Fatalf("fourth download: %d, want 410", st)
			}
			var left string
			if err := ev.db.QueryRow(`SELECT package FROM referral_disclosures WHERE referral_id = $1`, id).Scan(&left); err != nil || left != "" {
				t.Fatalf("the spent package is kept (%d bytes), %v", len(left), err)
			}
		})
		t.Run("not after the window", func(t *testing.T) {
			id := create(t, "vital_interest")
			ev.clock.Advance(7*24*time.Hour + time.Minute)
			if st, _ := download(t, id); st != http.StatusGone {
				t.Fatalf("download after 7 days: %d, want 410", st)
			}
		})
	})
}
