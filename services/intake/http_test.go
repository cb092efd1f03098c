package intake_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/kit/contract"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// endpointCall is one request per intake endpoint, valid in shape, with
// the service method it must reach.
type endpointCall struct {
	method, path string
	body         func() any
	service      string
}

func endpointCalls(caseID, grantID, orgID string) map[string]endpointCall {
	one := "/api/v1/cases/" + caseID
	return map[string]endpointCall{
		"register":     {"POST", "/api/v1/cases", func() any { return registration() }, "Register"},
		"list":         {"GET", "/api/v1/cases?status=registered&limit=10", nil, "List"},
		"read":         {"GET", one, nil, "Get"},
		"update draft": {"PUT", one, func() any { return with(registration(), "draft", true) }, "UpdateDraft"},
		"finalize":     {"POST", one + "/finalize", func() any { return map[string]any{} }, "Finalize"},
		"consent":      {"POST", one + "/consents", func() any { return map[string]any{"assistance": true, "data_sharing": true} }, "RecordConsent"},
		"submit":       {"POST", one + "/submit", nil, "Submit"},
		"transfer":     {"POST", one + "/transfer", func() any { return map[string]any{"org_id": orgID} }, "Transfer"},
		"link":         {"POST", one + "/link", func() any { return map[string]any{"notification_id": grantID} }, "LinkNotification"},
		"list grants":  {"GET", one + "/grants", nil, "ListGrants"},
		"grant": {"POST", one + "/grants", func() any {
			return map[string]any{"org_id": orgID, "sections": []string{"narrative"}, "purpose": "referral"}
		}, "GrantPending"},
		"activate grant": {"POST", one + "/grants/" + grantID + "/activate", nil, "ActivateGrant"},
		"revoke grant":   {"POST", one + "/grants/" + grantID + "/revoke", nil, "RevokeGrant"},
		"end grant":      {"POST", one + "/grants/" + grantID + "/end", nil, "EndGrant"},
		"duplicates":     {"GET", "/api/v1/duplicates?limit=5", nil, "Duplicates"},
		"confirm duplicate": {"POST", "/api/v1/duplicates/" + grantID + "/confirm", func() any {
			return map[string]any{"same_person": true}
		}, "ConfirmDuplicate"},
	}
}

// TestRequestsReachTheService: the service gets the ids from the path and
// the body as sent.
func TestRequestsReachTheService(t *testing.T) {
	t.Parallel()
	srv, fake, _ := fakeServer(t)
	reqs := endpointCalls(caseID, grantID, orgID)
	reg := intake.Registration{
		Route: "nrm", IdentifiedOn: "2026-11-20", Region: "MA-06", Gender: "female", AgeGroup: "adult",
		Nationalities: []string{"NG"}, ExploitationTypes: []string{"sexual", "labour"}, ExploitationLocation: "both",
		Needs: []string{"shelter", "medical"}, Languages: []string{"en", "fr"},
		Consent:   intake.ConsentInput{Assistance: true, NRMReferral: true, DataSharing: true},
		Identity:  &intake.IdentityInfo{FullName: "Canary Fullname", DateOfBirth: "1999-04-02"},
		Narrative: &intake.NarrativeInfo{Account: "Canary account"},
	}
	draft := reg
	draft.Draft = true
	tests := []struct {
		endpoint string
		args     []any
	}{
		{"register", []any{reg}},
		{"list", []any{intake.ListQuery{Status: intake.StatusRegistered, Limit: 10}}},
		{"read", []any{caseID}},
		{"update draft", []any{caseID, draft}},
		{"finalize", []any{caseID}},
		// Purposes the body does not name (nrm_referral) keep their records.
		{"consent", []any{caseID, intake.ConsentInput{Assistance: true, DataSharing: true,
			Purposes: []string{intake.PurposeAssistance, intake.PurposeDataSharing}}}},
		{"submit", []any{caseID}},
		{"transfer", []any{caseID, orgID}},
		{"link", []any{caseID, grantID}},
		{"list grants", []any{caseID}},
		{"grant", []any{intake.GrantRequest{CaseID: caseID, OrgID: orgID, Sections: []string{"narrative"}, Purpose: "referral"}}},
		{"activate grant", []any{caseID, grantID}},
		{"revoke grant", []any{caseID, grantID}},
		{"end grant", []any{caseID, grantID}},
		{"duplicates", []any{intake.ListQuery{Limit: 5}}},
		{"confirm duplicate", []any{grantID, true}},
	}
	for _, tc := range tests {
		t.Run(tc.endpoint, func(t *testing.T) {
			rq := reqs[tc.endpoint]
			var body any
			if rq.body != nil {
				body = rq.body()
			}
			if got := call(t, srv, "role:all", rq.method, rq.path, body); got.status >= 300 {
				t.Fatalf("status %d (%s)", got.status, got.raw)
			}
			calls := fake.took()
			if len(calls) != 1 || calls[0].method != rq.service || !reflect.DeepEqual(calls[0].args, tc.args) {
				t.Fatalf("service got %+v, want %s%+v", calls, rq.service, tc.args)
			}
		})
	}
}

// TestClientRoundTrip: the HTTP client returns what the service returned
// and the same errors, so a caller cannot tell it from the service.
func TestClientRoundTrip(t *testing.T) {
	t.Parallel()
	srv, fake, _ := fakeServer(t)
	c, err := intake.NewClient(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: userID, Token: "role:all"})
	calls := []struct {
		name string
		do   func(s intake.Service) (any, error)
	}{
		{"Register", func(s intake.Service) (any, error) { return s.Register(ctx, intake.Registration{Route: "nrm"}) }},
		{"UpdateDraft", func(s intake.Service) (any, error) {
			return s.UpdateDraft(ctx, caseID, intake.Registration{Draft: true})
		}},
		{"Finalize", func(s intake.Service) (any, error) { return s.Finalize(ctx, caseID) }},
		{"Get", func(s intake.Service) (any, error) { return s.Get(ctx, caseID) }},
		{"List", func(s intake.Service) (any, error) {
			return s.List(ctx, intake.ListQuery{Status: "draft", After: "c1", Limit: 3})
		}},
		{"RecordConsent", func(s intake.Service) (any, error) {
			return s.RecordConsent(ctx, caseID, intake.ConsentInput{Assistance: true})
		}},
		{"Submit", func(s intake.Service) (any, error) { return s.Submit(ctx, caseID) }},
		{"Transfer", func(s intake.Service) (any, error) { return s.Transfer(ctx, caseID, orgID) }},
		{"LinkNotification", func(s intake.Service) (any, error) { return nil, s.LinkNotification(ctx, caseID, grantID) }},
		{"GrantPending", func(s intake.Service) (any, error) {
			return s.GrantPending(ctx, intake.GrantRequest{CaseID: caseID, OrgID: orgID, Sections: []string{"legal"}, Purpose: "referral"})
		}},
		{"ActivateGrant", func(s intake.Service) (any, error) { return s.ActivateGrant(ctx, caseID, grantID) }},
		{"RevokeGrant", func(s intake.Service) (any, error) { return nil, s.RevokeGrant(ctx, caseID, grantID) }},
		{"EndGrant", func(s intake.Service) (any, error) { return s.EndGrant(ctx, caseID, grantID) }},
		{"ListGrants", func(s intake.Service) (any, error) { return s.ListGrants(ctx, caseID) }},
		{"Duplicates", func(s intake.Service) (any, error) { return s.Duplicates(ctx, intake.ListQuery{After: "d1"}) }},
		{"ConfirmDuplicate", func(s intake.Service) (any, error) { return s.ConfirmDuplicate(ctx, grantID, false) }},
	}
	failures := []error{intake.ErrNotFound, intake.ErrNotDraft, intake.ErrConsentRequired, intake.ErrInvalidState,
		kit.Validation("route must be one of: nrm, assistance, anonymous"), kit.ErrUnavailable}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			fake.fail(nil)
			fake.took()
			want, wantErr := tc.do(fake)
			direct := fake.took()
			got, err := tc.do(c)
			if err != nil || wantErr != nil {
				t.Fatalf("errors: client %v, service %v", err, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("client returned %+v, service %+v", got, want)
			}
			if remote := fake.took(); !reflect.DeepEqual(remote, direct) {
				t.Fatalf("service got %+v over HTTP, %+v in process", remote, direct)
			}
			for _, f := range failures {
				fake.fail(f)
				_, err := tc.do(c)
				var ke *kit.Error
				if !errors.Is(err, f) || !errors.As(err, &ke) || ke.Message != f.(*kit.Error).Message {
					t.Fatalf("client error %v, service error %v", err, f)
				}
			}
			fake.fail(errors.New("store: Canary Fullname"))
			if _, err := tc.do(c); !errors.Is(err, kit.ErrInternal) || kit.AsError(err).Message != kit.ErrInternal.Message {
				t.Fatalf("unknown error came back as %v", err)
			}
		})
	}
	t.Run("without a token", func(t *testing.T) {
		fake.fail(nil)
		if _, err := c.Get(context.Background(), caseID); !errors.Is(err, kit.ErrUnauthenticated) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("a role without the right", func(t *testing.T) {
		actx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: userID, Token: "role:auditor"})
		if _, err := c.Get(actx, caseID); !errors.Is(err, kit.ErrForbidden) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("malformed ids are not found", func(t *testing.T) {
		fake.took()
		for _, id := range []string{"", "x", "../duplicates", caseID + "/submit"} {
			if _, err := c.Get(ctx, id); !errors.Is(err, intake.ErrNotFound) {
				t.Fatalf("Get(%q): %v", id, err)
			}
			if err := c.RevokeGrant(ctx, caseID, id); !errors.Is(err, intake.ErrNotFound) {
				t.Fatalf("RevokeGrant(%q): %v", id, err)
			}
		}
		if calls := fake.took(); len(calls) != 0 {
			t.Fatalf("service called: %+v", calls)
		}
	})
}

func TestNewClientRefusesBadAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"", "ftp://intake.example.org", "http://", "http://%zz"} {
		if _, err := intake.NewClient(addr, http.DefaultClient); err == nil {
			t.Errorf("NewClient(%q) accepted", addr)
		}
	}
}

// lockedBuffer is a log destination the server writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestMiddlewareKeepsContentOut: the logging and metrics middleware see
// every call over HTTP, and record method, case id and outcome, never the
// names, accounts or notes they carry.
func TestMiddlewareKeepsContentOut(t *testing.T) {
	t.Parallel()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var logs, transportLogs lockedBuffer
	reg := prometheus.NewRegistry()
	instrument, err := intake.InstrumentingMiddleware(reg)
	if err != nil {
		t.Fatal(err)
	}
	fake := newFakeService()
	var s intake.Service = fake
	s = intake.LoggingMiddleware(log.NewLogfmtLogger(&logs))(instrument(s))
	eps := intake.MakeServerEndpoints(s, auth.Middleware(roleTokens{}), enf, &denialLog{})
	srv := httptest.NewServer(intake.MakeHTTPHandler(eps, log.NewLogfmtLogger(&transportLogs)))
	t.Cleanup(srv.Close)

	const canary = "Canary-7c1e"
	body := registration()
	body["identity"] = map[string]any{"full_name": canary + " Name", "contacts": canary + " +212600000000"}
	body["narrative"] = map[string]any{"account": canary + " account"}
	body["health"] = map[string]any{"notes": canary + " notes"}
	body["legal"] = map[string]any{"notes": canary + " legal", "immigration_status": canary}
	for _, rq := range []struct {
		method, path string
		body         any
		fail         error
		status       int
	}{
		{"POST", "/api/v1/cases", body, nil, 201},
		{"PUT", "/api/v1/cases/" + caseID, body, intake.ErrNotDraft, 409},
		{"POST", "/api/v1/cases/" + caseID + "/consents", map[string]any{"data_sharing": true, "explained_in": "ar", "share_with": []string{canary}}, nil, 201},
		{"POST", "/api/v1/cases/" + caseID + "/grants", map[string]any{"org_id": orgID, "referral_id": canary}, nil, 201},
		{"POST", "/api/v1/cases", `{"identity":{"full_name":"` + canary + `"`, nil, 400},
		{"GET", "/api/v1/cases?after=" + canary, nil, nil, 200},
	} {
		fake.fail(rq.fail)
		if got := call(t, srv, "role:all", rq.method, rq.path, rq.body); got.status != rq.status {
			t.Fatalf("%s %s: status %d, want %d", rq.method, rq.path, got.status, rq.status)
		}
	}
	if strings.Contains(logs.String()+transportLogs.String(), canary) {
		t.Fatalf("content in the logs:\n%s%s", logs.String(), transportLogs.String())
	}
	for _, want := range []string{
		"method=Register case_id=" + caseID + " outcome=ok",
		"method=UpdateDraft case_id=" + caseID + " outcome=not_draft",
		"method=RecordConsent case_id=" + caseID + " outcome=ok",
		"method=GrantPending case_id=" + caseID + " outcome=ok",
		"method=List outcome=ok",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no log line with %q in:\n%s", want, logs.String())
		}
	}
	if n := strings.Count(logs.String(), "\n"); n != 5 {
		t.Errorf("%d log lines for 5 service calls", n)
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			var labels []string
			kv := map[string]string{}
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName())
				kv[l.GetName()] = l.GetValue()
				if strings.Contains(l.GetValue(), canary) {
					t.Fatalf("content in a metric label: %s", l.GetValue())
				}
			}
			if !slices.Equal(labels, []string{"method", "outcome"}) {
				t.Fatalf("%s has labels %v, want method and outcome", mf.GetName(), labels)
			}
			if mf.GetName() == "nrm_intake_calls_total" {
				counts[kv["method"]+"/"+kv["outcome"]] = m.GetCounter().GetValue()
			}
		}
	}
	want := map[string]float64{"Register/ok": 1, "UpdateDraft/not_draft": 1, "RecordConsent/ok": 1, "GrantPending/ok": 1, "List/ok": 1}
	if !reflect.DeepEqual(counts, want) {
		t.Fatalf("calls counted %v, want %v", counts, want)
	}
	if _, err := intake.InstrumentingMiddleware(reg); err != nil {
		t.Fatalf("a second service on the same registry: %v", err)
	}
}

// Relations of the caller's organisation to the case a request names.
const (
	author         = "author"          // the case's owner organisation
	activeGrantee  = "active grantee"  // holds an active grant on it
	pendingGrantee = "pending grantee" // holds a grant not yet accepted
	otherOrg       = "other org"       // nothing to do with it
	anyRelation    = "-"               // the request names no case
)

// callers are the table's columns: auth.AllRoles in order, then no token.
var callers = append(slices.Clone(auth.AllRoles), "anonymous")

// realWorld is an intake service on a fresh database behind the real
// transport, endpoints, policy and token verification, with the
// organisations the relations need.
type realWorld struct {
	env  *intaketest.Env
	srv  *httptest.Server
	priv ed25519.PrivateKey
	kid  string

	owner, grantee, other, third, target, authority, notifier intake.OrgInfo
}

type notRevoked struct{}

func (notRevoked) Revoked(string) bool { return false }

func newRealWorld(t *testing.T) *realWorld {
	t.Helper()
	return newRealWorldOn(t, dbtest.SQLite(t))
}

// newRealWorldOn is newRealWorld on engine e; opts adjust the configuration.
func newRealWorldOn(t *testing.T, e dbtest.Engine, opts ...func(*intake.Config)) *realWorld {
	t.Helper()
	env := intaketest.New(t, e, append([]func(*intake.Config){func(c *intake.Config) { c.Kind = seal.KindX25519 }}, opts...)...)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	w := &realWorld{env: env, priv: priv, kid: auth.KeyID(pub)}
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	v := auth.NewVerifier(auth.StaticKeys{w.kid: pub}, "nrm", notRevoked{}, nil)
	eps := intake.MakeServerEndpoints(env.Service, auth.Middleware(v), enf, &denialLog{})
	w.srv = httptest.NewServer(contract.Handler(t, intake.MakeHTTPHandler(eps, log.NewNopLogger())))
	t.Cleanup(w.srv.Close)
	w.owner, w.notifier = env.Org("police"), env.Org("police")
	w.grantee, w.other, w.third, w.target = env.Org("ngo"), env.Org("ngo"), env.Org("ngo"), env.Org("ngo")
	w.authority = env.Org(intake.OrgKindCompetentAuthority)
	return w
}

// token signs an access token for a new user of org holding role, as
// identity would issue it.
func (w *realWorld) token(t *testing.T, org intake.OrgInfo, role string) string {
	t.Helper()
	return w.userToken(t, event.NewID(), org, role)
}

// userToken signs an access token for user of org holding role.
func (w *realWorld) userToken(t *testing.T, user string, org intake.OrgInfo, role string) string {
	t.Helper()
	return w.rolesToken(t, user, org, role)
}

// rolesToken signs an access token for user of org holding roles.
func (w *realWorld) rolesToken(t *testing.T, user string, org intake.OrgInfo, roles ...string) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: user, ID: event.NewID(), Audience: jwt.ClaimStrings{"nrm"},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(auth.AccessTokenTTL)),
		},
		Org: org.ID, Roles: roles, Sid: event.NewID(),
	})
	tok.Header["kid"] = w.kid
	s, err := tok.SignedString(w.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// target is what one request acts on: a case, a grant of it, and the
// organisation the caller belongs to.
type target struct {
	caseID, grantID string
	caller          intake.OrgInfo
}

// fixture prepares a fresh case in the given relation to the caller. A
// draft is made only for the author: a draft cannot be shared, so the
// grantees' cases are registered ones. grantID is the caller's own grant
// for a grantee, and a pending grant to a third organisation otherwise.
func (w *realWorld) fixture(t *testing.T, relation string, draft bool) target {
	t.Helper()
	ctx := intaketest.Officer(w.owner)
	r := intaketest.Registration("Person " + event.NewID())
	r.Draft = draft && relation == author
	c, err := w.env.Service.Register(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	tg := target{caseID: c.ID}
	if r.Draft {
		tg.caller = w.owner
		return tg
	}
	grantTo := w.third
	if relation == activeGrantee || relation == pendingGrantee {
		grantTo = w.grantee
	}
	g, err := w.env.Service.GrantPending(ctx, intake.GrantRequest{CaseID: c.ID, OrgID: grantTo.ID,
		Sections: []string{intake.SectionNarrative}, Purpose: "referral"})
	if err != nil {
		t.Fatal(err)
	}
	tg.grantID = g.ID
	if relation == activeGrantee {
		if _, err := w.env.Service.ActivateGrant(intaketest.As(w.grantee, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	switch relation {
	case author, anyRelation:
		tg.caller = w.owner
	case activeGrantee, pendingGrantee:
		tg.caller = w.grantee
	default:
		tg.caller = w.other
	}
	return tg
}

// notificationOf registers a fresh anonymous notification at org.
func (w *realWorld) notificationOf(t *testing.T, org intake.OrgInfo) string {
	t.Helper()
	r := intaketest.Registration("")
	r.Route, r.Consent, r.Identity, r.Narrative, r.Health, r.Legal = intake.RouteAnonymous, intake.ConsentInput{}, nil, nil, nil, nil
	c, err := w.env.Service.Register(intaketest.Officer(org), r)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestAuthorizationTable is written by hand: for every endpoint, the
// caller's relation to the case and each role, the answer expected over
// HTTP with real tokens: 401 without one, 403 where the policy refuses the
// role, 404 where the service hides the case, success otherwise.
func TestAuthorizationTable(t *testing.T) {
	t.Parallel()
	w := newRealWorld(t)
	type request struct {
		draft bool
		build func(t *testing.T, tg target) (method, path string, body any)
	}
	one := func(tg target) string { return "/api/v1/cases/" + tg.caseID }
	reqs := map[string]request{
		"register": {false, func(*testing.T, target) (string, string, any) {
			return "POST", "/api/v1/cases", intaketest.Registration("Person " + event.NewID())
		}},
		"list":       {false, func(*testing.T, target) (string, string, any) { return "GET", "/api/v1/cases?limit=5", nil }},
		"duplicates": {false, func(*testing.T, target) (string, string, any) { return "GET", "/api/v1/duplicates", nil }},
		"read":       {false, func(_ *testing.T, tg target) (string, string, any) { return "GET", one(tg), nil }},
		"update draft": {true, func(_ *testing.T, tg target) (string, string, any) {
			r := intaketest.Registration("Person " + event.NewID())
			r.Draft = true
			return "PUT", one(tg), r
		}},
		"finalize": {true, func(_ *testing.T, tg target) (string, string, any) { return "POST", one(tg) + "/finalize", nil }},
		"consent": {false, func(_ *testing.T, tg target) (string, string, any) {
			return "POST", one(tg) + "/consents", intake.ConsentInput{Assistance: true, NRMReferral: true, DataSharing: true}
		}},
		"submit": {false, func(_ *testing.T, tg target) (string, string, any) { return "POST", one(tg) + "/submit", nil }},
		"transfer": {false, func(_ *testing.T, tg target) (string, string, any) {
			return "POST", one(tg) + "/transfer", map[string]string{"org_id": w.target.ID}
		}},
		"link": {false, func(t *testing.T, tg target) (string, string, any) {
			return "POST", one(tg) + "/link", map[string]string{"notification_id": w.notificationOf(t, tg.caller)}
		}},
		"list grants": {false, func(_ *testing.T, tg target) (string, string, any) { return "GET", one(tg) + "/grants", nil }},
		"grant": {false, func(_ *testing.T, tg target) (string, string, any) {
			return "POST", one(tg) + "/grants", map[string]any{"org_id": w.target.ID, "sections": []string{"health"}, "purpose": "referral"}
		}},
		"activate grant": {false, func(_ *testing.T, tg target) (string, string, any) {
			return "POST", one(tg) + "/grants/" + tg.grantID + "/activate", nil
		}},
		"revoke grant": {false, func(_ *testing.T, tg target) (string, string, any) {
			return "POST", one(tg) + "/grants/" + tg.grantID + "/revoke", nil
		}},
		// A fresh pending duplicate per request: one is decided only once.
		"confirm duplicate": {false, func(t *testing.T, _ target) (string, string, any) {
			d, _, _ := duplicatePair(t, w.env, w.owner)
			return "POST", "/api/v1/duplicates/" + d.ID + "/confirm", map[string]bool{"same_person": true}
		}},
	}
	// Columns: frontline_officer, ngo_caseworker, coordinator,
	// decision_maker, guardian, commission_analyst, auditor, org_admin,
	// system_admin, anonymous.
	table := []struct {
		endpoint, relation string
		want               [10]int
	}{
		{"register", anyRelation, [10]int{201, 201, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"list", anyRelation, [10]int{200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"duplicates", anyRelation, [10]int{403, 403, 200, 200, 403, 403, 403, 403, 403, 401}},
		{"confirm duplicate", anyRelation, [10]int{403, 403, 200, 200, 403, 403, 403, 403, 403, 401}},

		{"read", author, [10]int{200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"read", activeGrantee, [10]int{200, 200, 200, 200, 200, 403, 403, 403, 403, 401}},
		{"read", pendingGrantee, [10]int{404, 404, 404, 404, 404, 403, 403, 403, 403, 401}},
		{"read", otherOrg, [10]int{404, 404, 404, 404, 404, 403, 403, 403, 403, 401}},

		{"update draft", author, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"update draft", activeGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"update draft", pendingGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"update draft", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		{"finalize", author, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"finalize", activeGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"finalize", pendingGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"finalize", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		{"consent", author, [10]int{201, 201, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"consent", activeGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"consent", pendingGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"consent", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		{"submit", author, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"submit", activeGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"submit", pendingGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"submit", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		{"transfer", author, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"transfer", activeGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"transfer", pendingGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"transfer", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		{"link", author, [10]int{204, 204, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"link", activeGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"link", pendingGrantee, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"link", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		{"list grants", author, [10]int{200, 200, 200, 403, 403, 403, 403, 403, 403, 401}},
		{"list grants", activeGrantee, [10]int{200, 200, 200, 403, 403, 403, 403, 403, 403, 401}},
		{"list grants", pendingGrantee, [10]int{200, 200, 200, 403, 403, 403, 403, 403, 403, 401}},
		{"list grants", otherOrg, [10]int{404, 404, 404, 403, 403, 403, 403, 403, 403, 401}},

		{"grant", author, [10]int{201, 201, 201, 403, 403, 403, 403, 403, 403, 401}},
		{"grant", activeGrantee, [10]int{404, 404, 404, 403, 403, 403, 403, 403, 403, 401}},
		{"grant", pendingGrantee, [10]int{404, 404, 404, 403, 403, 403, 403, 403, 403, 401}},
		{"grant", otherOrg, [10]int{404, 404, 404, 403, 403, 403, 403, 403, 403, 401}},

		// Only the grantee accepts its own pending grant; an active one
		// cannot be accepted again.
		{"activate grant", author, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"activate grant", activeGrantee, [10]int{409, 409, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"activate grant", pendingGrantee, [10]int{200, 200, 403, 403, 403, 403, 403, 403, 403, 401}},
		{"activate grant", otherOrg, [10]int{404, 404, 403, 403, 403, 403, 403, 403, 403, 401}},

		// The owner withdraws a grant; a grantee declines its own.
		{"revoke grant", author, [10]int{204, 204, 204, 403, 403, 403, 403, 403, 403, 401}},
		{"revoke grant", activeGrantee, [10]int{204, 204, 204, 403, 403, 403, 403, 403, 403, 401}},
		{"revoke grant", pendingGrantee, [10]int{204, 204, 204, 403, 403, 403, 403, 403, 403, 401}},
		{"revoke grant", otherOrg, [10]int{404, 404, 404, 403, 403, 403, 403, 403, 403, 401}},
	}
	covered := map[string]bool{}
	for _, row := range table {
		covered[row.endpoint] = true
		rq, ok := reqs[row.endpoint]
		if !ok {
			t.Fatalf("no request for %q", row.endpoint)
		}
		// A request the policy refuses never reaches a case: those share
		// one fixture, every other cell gets its own.
		var shared *target
		for i, caller := range callers {
			t.Run(row.endpoint+"/"+row.relation+"/"+caller, func(t *testing.T) {
				var tg target
				if row.want[i] == 401 || row.want[i] == 403 {
					if shared == nil {
						f := w.fixture(t, row.relation, rq.draft)
						shared = &f
					}
					tg = *shared
				} else {
					tg = w.fixture(t, row.relation, rq.draft)
				}
				var tok string
				if caller != "anonymous" {
					tok = w.token(t, tg.caller, caller)
				}
				method, path, body := rq.build(t, tg)
				got := call(t, w.srv, tok, method, path, body)
				if got.status != row.want[i] {
					t.Fatalf("%s %s as %s (%s): status %d (%s), want %d", method, path, caller, row.relation, got.status, got.code, row.want[i])
				}
			})
		}
	}
	if len(covered) != len(reqs) {
		t.Fatalf("table covers %d endpoints of %d", len(covered), len(reqs))
	}
}
