package referral

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestOnlyASystemAdminDeclaresChildProtection replays issue 18's review:
// an NGO's own organisation administrator added the child_protection
// service to its directory entry, and so received children's identity,
// narrative and health without consent and could host guardians. Only a
// system administrator adds the service (audited); the organisation's
// administrator may keep or lower its places, or drop it.
func TestOnlyASystemAdminDeclaresChildProtection(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		tok := tokens{}
		srv := ev.server(t, tok)
		org := ev.provider(t, shelter("MA-06", 5))
		tok["orgadmin"] = auth.Principal{UserID: event.NewID(), OrgID: org, Roles: []string{auth.RoleOrgAdmin}}
		tok["sysadmin"] = auth.Principal{UserID: event.NewID(), Roles: []string{auth.RoleSystemAdmin}}
		entry := func(child int) map[string]any {
			svcs := []map[string]any{{"service": "shelter", "places": 5}}
			if child >= 0 {
				svcs = append(svcs, map[string]any{"service": "child_protection", "places": child})
			}
			return map[string]any{"name": "Shelter", "region": "MA-06", "regions": []string{"MA-06"},
				"accepts_adults": true, "accepts_children": true, "languages": []string{"ar"}, "availability": Always,
				"active": true, "services": svcs}
		}
		denials := func() int {
			t.Helper()
			var n int
			if err := ev.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE '%"outcome":"denied"%'
				AND payload LIKE '%referral.provider.update%' AND payload LIKE '%` + org + `%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		offers := func() bool {
			t.Helper()
			pr, err := ev.s.GetProvider(admin(), org)
			if err != nil {
				t.Fatal(err)
			}
			return pr.Service("child_protection") != nil
		}
		for _, c := range []struct {
			name, who string
			child     int // child_protection places; -1 none
			want      int
			offers    bool
		}{
			{"the organisation's admin cannot add it", "orgadmin", 0, http.StatusForbidden, false},
			{"nor with places", "orgadmin", 3, http.StatusForbidden, false},
			{"a system admin adds it", "sysadmin", 3, http.StatusOK, true},
			{"the organisation's admin keeps it", "orgadmin", 3, http.StatusOK, true},
			{"and lowers its places", "orgadmin", 1, http.StatusOK, true},
			{"but cannot raise them", "orgadmin", 4, http.StatusForbidden, true},
			{"and may drop it", "orgadmin", -1, http.StatusOK, false},
			{"but not add it back", "orgadmin", 1, http.StatusForbidden, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := denials()
				st, body := call(t, srv.URL, srv.Client(), c.who, "PUT", "/api/v1/providers/"+org, entry(c.child))
				if st != c.want {
					t.Fatalf("status %d, want %d: %v", st, c.want, body)
				}
				if got := offers(); got != c.offers {
					t.Fatalf("offers child_protection: %v, want %v", got, c.offers)
				}
				if c.want == http.StatusForbidden {
					if code, _ := body["error"].(map[string]any)["code"].(string); !strings.Contains(code, "child_protection") {
						t.Fatalf("code %q", code)
					}
					if denials() != before+1 {
						t.Fatal("the denial is not audited")
					}
				}
			})
		}
	})
}
