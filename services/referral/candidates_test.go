package referral

import (
	"net/http"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// TestCandidatesCarryNameAndPreviewScore: the routing preview names each
// provider, and the referral made right after stores and shows the same
// providers with the same names and the very scores the preview showed.
func TestCandidatesCarryNameAndPreviewScore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		tok := tokens{"officer": {UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}}
		srv := ev.server(t, tok)
		names := map[string]string{}
		for i, region := range []string{"MA-06", "MA-05", "MA-01"} {
			in := shelter(region, 4+i)
			in.Regions = []string{"MA-06", region}
			in.Name = "Shelter " + region
			names[ev.provider(t, in)] = in.Name
		}
		caseID := ev.adult("MA-06", 0, "ar")

		st, body := call(t, srv.URL, srv.Client(), "officer", "GET", "/api/v1/referrals/route?service=shelter&urgency=emergency&case_id="+caseID, nil)
		if st != http.StatusOK {
			t.Fatalf("preview %d %v", st, body)
		}
		preview := map[string]float64{}
		for _, x := range body["candidates"].([]any) {
			c := x.(map[string]any)
			org := c["org_id"].(string)
			if c["name"] != names[org] {
				t.Errorf("preview: %s named %v, want %q", org, c["name"], names[org])
			}
			preview[org] = c["score"].(float64)
		}
		if len(preview) != 3 {
			t.Fatalf("preview lists %d providers", len(preview))
		}

		st, body = call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals", map[string]any{
			"case_id": caseID, "service": "shelter", "urgency": "emergency"})
		if st != http.StatusCreated {
			t.Fatalf("create %d %v", st, body)
		}
		id := body["id"].(string)
		for _, read := range []string{"create", "read"} {
			t.Run(read, func(t *testing.T) {
				if read == "read" {
					_, body = call(t, srv.URL, srv.Client(), "officer", "GET", "/api/v1/referrals/"+id, nil)
				}
				cands := body["candidates"].([]any)
				if len(cands) != len(preview) {
					t.Fatalf("%d candidates, preview had %d", len(cands), len(preview))
				}
				for _, x := range cands {
					c := x.(map[string]any)
					org := c["org_id"].(string)
					if c["name"] != names[org] {
						t.Errorf("%s named %v, want %q", org, c["name"], names[org])
					}
					if got, ok := c["score"].(float64); !ok || got != preview[org] {
						t.Errorf("%s scored %v on the referral, %v at preview", org, c["score"], preview[org])
					}
				}
			})
		}
	})
}
