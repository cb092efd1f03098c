package referral

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// call sends a request and returns the status and the decoded body.
func call(t testing.TB, srvURL string, hc *http.Client, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srvURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// TestCoordinatorSeesWhatRoutingNeeds replays issue 18's attack: a
// coordinator of another organisation reads a referral and withdraws it.
// The coordinator now sees the de-identified summary, the status and the
// routing state, never the case id or the sections, and withdraws another
// organisation's referral only with a coded emergency reason, recorded,
// audited and told to the sender.
func TestCoordinatorSeesWhatRoutingNeeds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		tok := tokens{}
		srv := ev.server(t, tok)
		coordOrg := event.NewID()
		tok["coord"] = auth.Principal{UserID: event.NewID(), OrgID: coordOrg, Roles: []string{auth.RoleCoordinator}}
		tok["officer"] = auth.Principal{UserID: event.NewID(), OrgID: ev.police, Roles: []string{auth.RoleFrontlineOfficer}}

		a := ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		r := ev.refer(t, caseID, "normal", a)

		t.Run("read shows no case id", func(t *testing.T) {
			st, body := call(t, srv.URL, srv.Client(), "coord", "GET", "/api/v1/referrals/"+r.ID, nil)
			if st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			for _, k := range []string{"case_id", "sections", "legal_basis", "destination", "package_id", "recipient_fingerprint"} {
				if _, ok := body[k]; ok {
					t.Errorf("coordinator sees %s", k)
				}
			}
			for _, k := range []string{"status", "service", "region", "candidates", "sender_org"} {
				if _, ok := body[k]; !ok {
					t.Errorf("coordinator misses %s", k)
				}
			}
			raw, _ := json.Marshal(body)
			if strings.Contains(string(raw), caseID) {
				t.Errorf("case id in the coordinator's view: %s", raw)
			}
		})
		t.Run("board shows no case id", func(t *testing.T) {
			b := ev.refer(t, ev.adult("MA-01", 0), "normal") // no provider in MA-01 for... any region served
			_ = b
			st, body := call(t, srv.URL, srv.Client(), "coord", "GET", "/api/v1/referrals/board", nil)
			if st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			raw, _ := json.Marshal(body)
			if strings.Contains(string(raw), `"case_id"`) {
				t.Errorf("case id on the board: %s", raw)
			}
		})

		cases := []struct {
			name string
			body any
			want int
			code string
		}{
			{"without a reason", nil, http.StatusForbidden, CodeEmergencyReasonRequired},
			{"with free text", map[string]string{"reason": "safety_risk", "note": "she told me her cousin is there"}, http.StatusBadRequest, "validation_failed"},
			{"with an unknown reason", map[string]string{"reason": "because", "note": "provider_unreachable"}, http.StatusBadRequest, "validation_failed"},
			{"with a coded emergency reason", map[string]string{"reason": "safety_risk", "note": "provider_unreachable"}, http.StatusOK, ""},
		}
		for _, tc := range cases {
			t.Run("withdraw "+tc.name, func(t *testing.T) {
				st, body := call(t, srv.URL, srv.Client(), "coord", "POST", "/api/v1/referrals/"+r.ID+"/withdraw", tc.body)
				if st != tc.want {
					t.Fatalf("status %d, want %d: %v", st, tc.want, body)
				}
				if tc.code != "" {
					if got := body["error"].(map[string]any)["code"]; got != tc.code {
						t.Fatalf("code %v, want %s", got, tc.code)
					}
					return
				}
				if body["status"] != StatusWithdrawn {
					t.Fatalf("status %v", body["status"])
				}
			})
		}
		t.Run("recorded, audited, told", func(t *testing.T) {
			var reason, note, actor string
			var emergency bool
			if err := ev.db.QueryRow(`SELECT reason, note, actor_org, emergency FROM referral_withdrawals WHERE referral_id = $1`,
				r.ID).Scan(&reason, &note, &actor, &emergency); err != nil {
				t.Fatal(err)
			}
			if reason != "safety_risk" || note != "provider_unreachable" || actor != coordOrg || !emergency {
				t.Fatalf("recorded %s %s %s %v", reason, note, actor, emergency)
			}
			var n int
			if err := ev.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE '%referral.referral.withdraw_emergency%' AND payload LIKE '%` + r.ID + `%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("%d emergency withdrawal events", n)
			}
			if err := ev.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE '%"outcome":"denied"%' AND payload LIKE '%referral.referral.withdraw%' AND payload LIKE '%` + r.ID + `%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n < 1 {
				t.Fatalf("the refused withdrawal was not audited")
			}
			ns, err := ev.s.Notifications(ev.officer(), 0)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, x := range ns {
				found = found || x.ReferralID == r.ID && x.Event == "withdrawn_by_coordinator"
			}
			if !found {
				t.Fatalf("sender not told: %+v", ns)
			}
		})
		t.Run("the owner withdraws without a reason", func(t *testing.T) {
			r2 := ev.refer(t, ev.adult("MA-06", 0), "normal", a)
			st, body := call(t, srv.URL, srv.Client(), "officer", "POST", "/api/v1/referrals/"+r2.ID+"/withdraw", nil)
			if st != http.StatusOK || body["status"] != StatusWithdrawn {
				t.Fatalf("status %d %v", st, body)
			}
		})
	})
}
