package referral

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/kit/contract"
)

// tokens authenticates a bearer token by looking it up.
type tokens map[string]auth.Principal

func (t tokens) Authenticate(_ context.Context, tok string) (auth.Principal, error) {
	p, ok := t[tok]
	if !ok {
		return p, kit.ErrUnauthenticated
	}
	return p, nil
}

func (ev *env) server(t testing.TB, tok tokens) *httptest.Server {
	t.Helper()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	eps := MakeServerEndpoints(ev.s, auth.Middleware(tok), enf, NewDenialRecorder(ev.db, ev.keys))
	srv := httptest.NewServer(contract.Handler(t, MakeHTTPHandler(eps, log.NewNopLogger())))
	t.Cleanup(srv.Close)
	return srv
}

func do(t testing.TB, srv *httptest.Server, token, method, path string, body any) int {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestAuthorizationTable is written by hand. Callers: a role in the
// sending organisation (send), in the candidate the referral is offered to
// (recv), in a candidate not yet offered it (queued), in another
// organisation (other). Each row starts from a fresh pending referral.
func TestAuthorizationTable(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	tok := tokens{}
	srv := ev.server(t, tok)
	orgs := map[string]string{"send": ev.police, "other": event.NewID()}
	callers := []struct{ name, role, rel string }{
		{"officer/send", auth.RoleFrontlineOfficer, "send"},
		{"caseworker/send", auth.RoleNGOCaseworker, "send"},
		{"caseworker/recv", auth.RoleNGOCaseworker, "recv"},
		{"caseworker/queued", auth.RoleNGOCaseworker, "queued"},
		{"caseworker/other", auth.RoleNGOCaseworker, "other"},
		{"officer/other", auth.RoleFrontlineOfficer, "other"},
		{"coordinator/other", auth.RoleCoordinator, "other"},
		{"decision_maker/send", auth.RoleDecisionMaker, "send"},
		{"analyst/other", auth.RoleCommissionAnalyst, "other"},
		{"auditor/other", auth.RoleAuditor, "other"},
		{"org_admin/recv", auth.RoleOrgAdmin, "recv"},
		{"system_admin/other", auth.RoleSystemAdmin, "other"},
		{"anonymous", "", ""},
	}
	table := []struct {
		endpoint, method, path string
		body                   any
		want                   [13]int
	}{
		//                                                                        off/s cw/s cw/r cw/q cw/o off/o coord dm   anal aud  oa/r sa   anon
		{"read", "GET", "/api/v1/referrals/{id}", nil, [13]int{200, 200, 200, 404, 404, 404, 200, 200, 403, 403, 403, 403, 401}},
		{"accept", "POST", "/api/v1/referrals/{id}/accept", nil, [13]int{403, 403, 200, 404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"decline", "POST", "/api/v1/referrals/{id}/decline", map[string]string{"reason": "no_capacity"}, [13]int{403, 403, 200, 404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"arrived", "POST", "/api/v1/referrals/{id}/arrived", nil, [13]int{403, 409, 409, 404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"complete", "POST", "/api/v1/referrals/{id}/complete", nil, [13]int{403, 409, 409, 404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"left", "POST", "/api/v1/referrals/{id}/left", nil, [13]int{403, 409, 409, 404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"withdraw", "POST", "/api/v1/referrals/{id}/withdraw", nil, [13]int{200, 200, 403, 404, 404, 404, 403, 403, 403, 403, 403, 403, 401}},
		{"create", "POST", "/api/v1/referrals", "create", [13]int{201, 201, 404, 404, 404, 404, 201, 403, 403, 403, 403, 403, 401}},
		{"inbox", "GET", "/api/v1/referrals/inbox", nil, [13]int{200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"sent", "GET", "/api/v1/referrals/sent", nil, [13]int{200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"board", "GET", "/api/v1/referrals/board", nil, [13]int{403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 401}},
		{"route", "GET", "/api/v1/referrals/route?service=shelter&case_id={case}", nil, [13]int{200, 200, 404, 404, 404, 404, 200, 403, 403, 403, 403, 403, 401}},
		{"provider read", "GET", "/api/v1/providers/{recv}", nil, [13]int{200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200, 200, 401}},
		{"provider list", "GET", "/api/v1/providers", nil, [13]int{200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 200, 200, 401}},
		{"provider put", "PUT", "/api/v1/providers/{recv}", shelter("MA-06", 5), [13]int{403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 401}},
		{"capacity", "PUT", "/api/v1/providers/{recv}/capacity", map[string]any{"service": "shelter", "places": 7}, [13]int{403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 401}},
		{"approve internal", "POST", "/api/v1/referrals/{id}/approve", nil, [13]int{404, 404, 404, 404, 404, 404, 403, 404, 403, 403, 403, 403, 401}},
		{"webhook secret", "POST", "/api/v1/providers/{recv}/webhook-secret", nil, [13]int{403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 401}},
		{"candidates", "GET", "/api/v1/referrals/{id}/candidates", nil, [13]int{403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 401}},
		{"place pending", "POST", "/api/v1/referrals/{id}/place", "place", [13]int{403, 403, 403, 403, 403, 403, 409, 403, 403, 403, 403, 403, 401}},
		{"export", "GET", "/api/v1/providers/export", nil, [13]int{403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 200, 200, 401}},
	}
	type setup struct {
		recv, queued, caseID string
		r                    Referral
	}
	fresh := func(t *testing.T) setup {
		recv, queued := ev.provider(t, shelter("MA-06", 5)), ev.provider(t, shelter("MA-06", 5))
		caseID := ev.adult("MA-06", 0)
		return setup{recv, queued, caseID, ev.refer(t, caseID, "normal", recv, queued)}
	}
	for _, row := range table {
		// A read changes nothing: its callers share one referral. Every
		// other call gets a referral of its own.
		var shared *setup
		if row.method == "GET" {
			s := fresh(t)
			shared = &s
		}
		for i, c := range callers {
			t.Run(row.endpoint+"/"+c.name, func(t *testing.T) {
				su := shared
				if su == nil {
					s := fresh(t)
					su = &s
				}
				recv, queued, caseID, r := su.recv, su.queued, su.caseID, su.r
				rel := map[string]string{"send": orgs["send"], "recv": recv, "queued": queued, "other": orgs["other"]}
				token := ""
				if c.role != "" {
					token = event.NewID()
					tok[token] = auth.Principal{UserID: event.NewID(), OrgID: rel[c.rel], Roles: []string{c.role}}
				}
				path := strings.NewReplacer("{id}", r.ID, "{recv}", recv, "{case}", caseID).Replace(row.path)
				body := row.body
				switch body {
				case "create":
					body = map[string]any{"case_id": caseID, "service": "shelter", "urgency": "normal"}
				case "place":
					body = map[string]any{"org_id": recv}
				}
				if got := do(t, srv, token, row.method, path, body); got != row.want[i] {
					t.Fatalf("%s as %s: %d, want %d", row.endpoint, c.name, got, row.want[i])
				}
			})
		}
	}
}

func TestHiddenReferralIsAuditedAsDenied(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	a := ev.provider(t, shelter("MA-06", 5))
	r := ev.refer(t, ev.adult("MA-06", 0), "normal", a)
	if _, err := ev.s.GetReferral(as(event.NewID(), auth.RoleNGOCaseworker), r.ID); codeOf(err) != kit.CodeNotFound {
		t.Fatalf("err %v", err)
	}
	var n int
	if err := ev.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE '%"outcome":"denied"%' AND payload LIKE '%` + r.ID + `%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d denied events", n)
	}
}
