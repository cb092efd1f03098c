package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
)

// Ids used by the fake-service tests.
const (
	caseID  = "0f8fad5b-d9cb-469f-a165-70867728950e"
	grantID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	orgID   = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	userID  = "9b2e4c1a-3f5d-4e6a-8b7c-1d2e3f4a5b6c"
)

// fakeCall is one call the fake service received.
type fakeCall struct {
	method string
	user   string // the principal the service saw
	args   []any
}

// fakeService records every call and answers with fixed values, or with
// err when set.
type fakeService struct {
	mu    sync.Mutex
	calls []fakeCall
	err   error

	kase  intake.Case
	grant intake.Grant
	page  intake.CasePage
	dups  intake.DuplicatePage
}

var _ intake.Service = (*fakeService)(nil)

// at is a time that survives a JSON round trip unchanged.
var at = time.Date(2026, 11, 20, 21, 30, 0, 123456789, time.UTC)

func newFakeService() *fakeService {
	return &fakeService{
		kase: intake.Case{
			ID: caseID, Reference: "NRM-2026-000001", Route: intake.RouteNRM, Status: intake.StatusRegistered, OwnerOrg: orgID,
			Nationalities: []string{"NG"}, Needs: []string{"shelter"}, Dependants: 2,
			Consents: []intake.Consent{{ID: grantID, Purpose: "assistance", Granted: true, RecordedAt: at, ExpiresAt: &at}},
			Sections: map[string]json.RawMessage{intake.SectionNarrative: json.RawMessage(`{"account":"Canary account"}`)},
			Withheld: []string{intake.SectionHealth}, CreatedAt: at, UpdatedAt: at,
		},
		grant: intake.Grant{ID: grantID, CaseID: caseID, OrgID: orgID, Sections: []string{intake.SectionNarrative},
			Status: intake.GrantPending, Purpose: "referral", CreatedAt: at, UpdatedAt: at},
		page: intake.CasePage{Cases: []intake.Case{{ID: caseID, Route: intake.RouteNRM}}, Next: "c2"},
		dups: intake.DuplicatePage{Duplicates: []intake.Duplicate{{ID: grantID, CaseID: caseID, MatchesID: orgID, Strength: "name_only"}}},
	}
}

func (f *fakeService) record(ctx context.Context, method string, args ...any) error {
	p, _ := auth.FromContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{method: method, user: p.UserID, args: args})
	return f.err
}

// fail makes every later call return err (nil: succeed again).
func (f *fakeService) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// took returns the calls so far and forgets them.
func (f *fakeService) took() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func (f *fakeService) caseResult(err error) (intake.Case, error) {
	if err != nil {
		return intake.Case{}, err
	}
	return f.kase, nil
}

func (f *fakeService) grantResult(err error) (intake.Grant, error) {
	if err != nil {
		return intake.Grant{}, err
	}
	return f.grant, nil
}

func (f *fakeService) Register(ctx context.Context, r intake.Registration) (intake.Case, error) {
	return f.caseResult(f.record(ctx, "Register", r))
}

func (f *fakeService) UpdateDraft(ctx context.Context, id string, r intake.Registration) (intake.Case, error) {
	return f.caseResult(f.record(ctx, "UpdateDraft", id, r))
}

func (f *fakeService) Finalize(ctx context.Context, id string) (intake.Case, error) {
	return f.caseResult(f.record(ctx, "Finalize", id))
}

func (f *fakeService) Get(ctx context.Context, id string) (intake.Case, error) {
	return f.caseResult(f.record(ctx, "Get", id))
}

func (f *fakeService) List(ctx context.Context, q intake.ListQuery) (intake.CasePage, error) {
	if err := f.record(ctx, "List", q); err != nil {
		return intake.CasePage{}, err
	}
	return f.page, nil
}

func (f *fakeService) RecordConsent(ctx context.Context, id string, c intake.ConsentInput) (intake.Case, error) {
	return f.caseResult(f.record(ctx, "RecordConsent", id, c))
}

func (f *fakeService) Submit(ctx context.Context, id string) (intake.Case, error) {
	return f.caseResult(f.record(ctx, "Submit", id))
}

func (f *fakeService) Transfer(ctx context.Context, id, to string) (intake.Case, error) {
	return f.caseResult(f.record(ctx, "Transfer", id, to))
}

func (f *fakeService) LinkNotification(ctx context.Context, id, n string) error {
	return f.record(ctx, "LinkNotification", id, n)
}

func (f *fakeService) GrantPending(ctx context.Context, g intake.GrantRequest) (intake.Grant, error) {
	return f.grantResult(f.record(ctx, "GrantPending", g))
}

func (f *fakeService) EndGrant(ctx context.Context, id, gid string) (intake.Grant, error) {
	return f.grantResult(f.record(ctx, "EndGrant", id, gid))
}

func (f *fakeService) ActivateGrant(ctx context.Context, id, gid string) (intake.Grant, error) {
	return f.grantResult(f.record(ctx, "ActivateGrant", id, gid))
}

func (f *fakeService) RevokeGrant(ctx context.Context, id, gid string) error {
	return f.record(ctx, "RevokeGrant", id, gid)
}

func (f *fakeService) ListGrants(ctx context.Context, id string) ([]intake.Grant, error) {
	if err := f.record(ctx, "ListGrants", id); err != nil {
		return nil, err
	}
	return []intake.Grant{f.grant}, nil
}

func (f *fakeService) Duplicates(ctx context.Context, q intake.ListQuery) (intake.DuplicatePage, error) {
	if err := f.record(ctx, "Duplicates", q); err != nil {
		return intake.DuplicatePage{}, err
	}
	return f.dups, nil
}

// roleTokens authenticates "role:<role>" tokens as a user holding that
// role (and "role:all" as one holding every intake role), so the fake
// tests exercise the real authentication middleware and Casbin policy.
type roleTokens struct{}

func (roleTokens) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	role, ok := strings.CutPrefix(token, "role:")
	switch {
	case ok && role == "all":
		return auth.Principal{UserID: userID, OrgID: orgID, Roles: []string{auth.RoleFrontlineOfficer, auth.RoleCoordinator}}, nil
	case ok && auth.ValidRole(role):
		return auth.Principal{UserID: userID, OrgID: orgID, Roles: []string{role}}, nil
	}
	return auth.Principal{}, auth.ErrTokenInvalid
}

// denialLog records the denials the enforcer reports.
type denialLog struct {
	mu      sync.Mutex
	denials []string
}

func (d *denialLog) RecordDenial(_ context.Context, object, action, _ string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.denials = append(d.denials, object+"."+action)
	return nil
}

// fakeServer serves a fake service through the real endpoints, policy and
// transport.
func fakeServer(t testing.TB) (*httptest.Server, *fakeService, *denialLog) {
	t.Helper()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	fake, denials := newFakeService(), &denialLog{}
	eps := intake.MakeServerEndpoints(fake, auth.Middleware(roleTokens{}), enf, denials)
	srv := httptest.NewServer(intake.MakeHTTPHandler(eps, log.NewNopLogger()))
	t.Cleanup(srv.Close)
	return srv, fake, denials
}

type apiResult struct {
	status  int
	code    string
	header  http.Header
	raw     string
	decoded map[string]any
}

func call(t testing.TB, srv *httptest.Server, token, method, path string, body any) apiResult {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResult{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.decoded)
	if e, ok := r.decoded["error"].(map[string]any); ok {
		r.code, _ = e["code"].(string)
	}
	return r
}

// registration is the minimal valid registration of DESIGN.md, as a map
// so tests can add and change fields.
func registration() map[string]any {
	return map[string]any{
		"route": "nrm", "identified_on": "2026-11-20", "region": "MA-06", "gender": "female",
		"age_group": "adult", "nationalities": []string{"NG"}, "exploitation_types": []string{"sexual", "labour"},
		"exploitation_location": "both", "needs": []string{"shelter", "medical"}, "languages": []string{"en", "fr"},
		"consent":   map[string]any{"assistance": true, "nrm_referral": true, "data_sharing": true},
		"identity":  map[string]any{"full_name": "Canary Fullname", "date_of_birth": "1999-04-02"},
		"narrative": map[string]any{"account": "Canary account"},
	}
}

func with(m map[string]any, key string, v any) map[string]any {
	m[key] = v
	return m
}

// TestDecoderRefusals: bad input is refused with a stable code before the
// service is reached, and the answer does not echo the value sent.
func TestDecoderRefusals(t *testing.T) {
	t.Parallel()
	srv, fake, _ := fakeServer(t)
	const tok = "role:all"
	cases := "/api/v1/cases"
	one := cases + "/" + caseID
	canary := "Canary-Value-4711"
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"malformed JSON", "POST", cases, `{"route":`, 400, kit.CodeInvalidJSON},
		{"empty body", "POST", cases, ``, 400, kit.CodeInvalidJSON},
		{"two objects", "POST", cases, `{}{}`, 400, kit.CodeInvalidJSON},
		{"array body", "POST", cases, `[1]`, 400, kit.CodeInvalidType},
		{"owner_org assigned", "POST", cases, with(registration(), "owner_org", orgID), 400, kit.CodeUnknownField},
		{"status assigned", "POST", cases, with(registration(), "status", "submitted"), 400, kit.CodeUnknownField},
		{"id assigned", "POST", cases, with(registration(), "id", caseID), 400, kit.CodeUnknownField},
		{"registered_by assigned", "POST", cases, with(registration(), "registered_by", userID), 400, kit.CodeUnknownField},
		{"unknown field in a section", "POST", cases, with(registration(), "identity", map[string]any{"owner_org": orgID}), 400, kit.CodeUnknownField},
		{"unknown field in consent", "POST", cases, with(registration(), "consent", map[string]any{"recorded_by": userID}), 400, kit.CodeUnknownField},
		{"wrong type", "POST", cases, with(registration(), "nationalities", canary), 400, kit.CodeInvalidType},
		{"wrong type in a section", "POST", cases, with(registration(), "identity", map[string]any{"full_name": []string{canary}}), 400, kit.CodeInvalidType},
		{"2 MiB body", "POST", cases, `{"route":"` + strings.Repeat("a", 2<<20) + `"}`, 413, kit.CodeBodyTooLarge},
		{"draft update, owner_org", "PUT", one, with(registration(), "owner_org", orgID), 400, kit.CodeUnknownField},
		{"draft update, 2 MiB", "PUT", one, `{"narrative":{"account":"` + strings.Repeat("a", 2<<20) + `"}}`, 413, kit.CodeBodyTooLarge},
		{"draft update, bad id", "PUT", cases + "/" + canary, registration(), 404, kit.CodeNotFound},
		{"get, bad id", "GET", cases + "/" + canary, nil, 404, kit.CodeNotFound},
		{"get, upper-case id", "GET", cases + "/" + strings.ToUpper(caseID), nil, 404, kit.CodeNotFound},
		{"get, id with a quote", "GET", cases + "/'%20OR%201=1--", nil, 404, kit.CodeNotFound},
		{"finalize, bad id", "POST", cases + "/1/finalize", nil, 404, kit.CodeNotFound},
		{"submit, bad id", "POST", cases + "/x/submit", nil, 404, kit.CodeNotFound},
		{"finalize, status in a body", "POST", one + "/finalize", `{"status":"submitted"}`, 400, kit.CodeUnknownField},
		{"submit, malformed body", "POST", one + "/submit", `{"to":`, 400, kit.CodeInvalidJSON},
		{"revoke, body", "POST", one + "/grants/" + grantID + "/revoke", `{"status":"active"}`, 400, kit.CodeUnknownField},
		{"activate, 2 MiB body", "POST", one + "/grants/" + grantID + "/activate", `{"x":"` + strings.Repeat("a", 2<<20) + `"}`, 413, kit.CodeBodyTooLarge},
		{"consent, unknown field", "POST", one + "/consents", `{"assistance":true,"granted":true}`, 400, kit.CodeUnknownField},
		{"consent, wrong type", "POST", one + "/consents", `{"assistance":"yes"}`, 400, kit.CodeInvalidType},
		{"consent, bad id", "POST", cases + "/x/consents", `{"assistance":true}`, 404, kit.CodeNotFound},
		{"transfer, no org", "POST", one + "/transfer", `{}`, 400, kit.CodeValidation},
		{"transfer, bad org", "POST", one + "/transfer", map[string]any{"org_id": canary}, 400, kit.CodeValidation},
		{"transfer, owner assigned", "POST", one + "/transfer", map[string]any{"org_id": orgID, "owner_org": orgID}, 400, kit.CodeUnknownField},
		{"link, bad notification", "POST", one + "/link", map[string]any{"notification_id": canary}, 400, kit.CodeValidation},
		{"link, wrong type", "POST", one + "/link", `{"notification_id":1}`, 400, kit.CodeInvalidType},
		{"grant, other case in body", "POST", one + "/grants", map[string]any{"case_id": grantID, "org_id": orgID, "sections": []string{"narrative"}, "purpose": "referral"}, 400, kit.CodeValidation},
		{"grant, status assigned", "POST", one + "/grants", map[string]any{"org_id": orgID, "status": "active"}, 400, kit.CodeUnknownField},
		{"grant, granted_by assigned", "POST", one + "/grants", map[string]any{"org_id": orgID, "granted_by": "intake"}, 400, kit.CodeUnknownField},
		{"grant, bad org", "POST", one + "/grants", map[string]any{"org_id": canary, "sections": []string{"narrative"}}, 400, kit.CodeValidation},
		{"grant, sections not a list", "POST", one + "/grants", `{"org_id":"` + orgID + `","sections":"identity"}`, 400, kit.CodeInvalidType},
		{"grants, bad case id", "GET", cases + "/x/grants", nil, 404, kit.CodeNotFound},
		{"activate, bad grant id", "POST", one + "/grants/x/activate", nil, 404, kit.CodeNotFound},
		{"revoke, bad case id", "POST", cases + "/x/grants/" + grantID + "/revoke", nil, 404, kit.CodeNotFound},
		{"list, limit zero", "GET", cases + "?limit=0", nil, 400, kit.CodeValidation},
		{"list, limit too large", "GET", cases + "?limit=201", nil, 400, kit.CodeValidation},
		{"list, limit not a number", "GET", cases + "?limit=" + canary, nil, 400, kit.CodeValidation},
		{"list, unknown status", "GET", cases + "?status=" + canary, nil, 400, kit.CodeValidation},
		{"list, status twice", "GET", cases + "?status=draft&status=submitted", nil, 400, kit.CodeValidation},
		{"list, unknown parameter", "GET", cases + "?owner_org=" + orgID, nil, 400, kit.CodeValidation},
		{"list, cursor with spaces", "GET", cases + "?after=a%20b", nil, 400, kit.CodeValidation},
		{"duplicates, status filter", "GET", "/api/v1/duplicates?status=draft", nil, 400, kit.CodeValidation},
		{"duplicates, negative limit", "GET", "/api/v1/duplicates?limit=-1", nil, 400, kit.CodeValidation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := call(t, srv, tok, tc.method, tc.path, tc.body)
			if got.status != tc.status || got.code != tc.code {
				t.Fatalf("status %d code %q, want %d %q (%s)", got.status, got.code, tc.status, tc.code, got.raw)
			}
			if strings.Contains(got.raw, canary) {
				t.Fatalf("error echoes the input: %s", got.raw)
			}
			if calls := fake.took(); len(calls) != 0 {
				t.Fatalf("refused request reached the service: %+v", calls)
			}
		})
	}
}

// TestUnknownRoutes: what no route serves is answered in the JSON error
// shape, 405 when the path exists under another method.
func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	srv, fake, _ := fakeServer(t)
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"DELETE", "/api/v1/cases/" + caseID, 405, kit.CodeMethodNotAllowed, "GET, PUT"},
		{"PATCH", "/api/v1/cases", 405, kit.CodeMethodNotAllowed, "GET, POST"},
		{"GET", "/api/v1/cases/" + caseID + "/submit", 405, kit.CodeMethodNotAllowed, "POST"},
		{"POST", "/api/v1/duplicates", 405, kit.CodeMethodNotAllowed, "GET"},
		{"GET", "/api/v1/cases/" + caseID + "/grants/" + grantID, 404, kit.CodeNotFound, ""},
		{"POST", "/api/v1/cases/" + caseID + "/close", 404, kit.CodeNotFound, ""},
		{"GET", "/api/v1/duplicates/" + caseID, 404, kit.CodeNotFound, ""},
		{"GET", "/api/v1/cases/", 404, kit.CodeNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			got := call(t, srv, "role:all", tc.method, tc.path, nil)
			if got.status != tc.status || got.code != tc.code {
				t.Fatalf("status %d code %q, want %d %q (%s)", got.status, got.code, tc.status, tc.code, got.raw)
			}
			if a := got.header.Get("Allow"); a != tc.allow {
				t.Fatalf("Allow %q, want %q", a, tc.allow)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
			if len(fake.took()) != 0 {
				t.Fatal("service called")
			}
		})
	}
}

// TestNothingIsCached: successes and errors alike carry no-store.
func TestNothingIsCached(t *testing.T) {
	t.Parallel()
	srv, _, _ := fakeServer(t)
	for _, tc := range []struct {
		name, token, method, path string
		status                    int
	}{
		{"case", "role:all", "GET", "/api/v1/cases/" + caseID, 200},
		{"list", "role:all", "GET", "/api/v1/cases", 200},
		{"anonymous", "", "GET", "/api/v1/cases/" + caseID, 401},
		{"forbidden", "role:auditor", "GET", "/api/v1/cases/" + caseID, 403},
		{"bad id", "role:all", "GET", "/api/v1/cases/x", 404},
		{"wrong method", "role:all", "DELETE", "/api/v1/cases/" + caseID, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := call(t, srv, tc.token, tc.method, tc.path, nil)
			if got.status != tc.status {
				t.Fatalf("status %d, want %d", got.status, tc.status)
			}
			if cc := got.header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control %q", cc)
			}
		})
	}
}

// TestBusinessErrorsKeepTheirCode: a service error reaches the client
// with its status and code; an unknown one is a generic 500 that says
// nothing of its cause.
func TestBusinessErrorsKeepTheirCode(t *testing.T) {
	t.Parallel()
	srv, fake, _ := fakeServer(t)
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{intake.ErrNotFound, 404, kit.CodeNotFound},
		{intake.ErrNotDraft, 409, intake.CodeNotDraft},
		{intake.ErrConsentRequired, 409, intake.CodeConsentRequired},
		{intake.ErrInvalidState, 409, intake.CodeInvalidTransition},
		{kit.Validation("region must be one of the configured regions"), 400, kit.CodeValidation},
		{errors.New("pq: duplicate key in cases_secret_idx for Canary Fullname"), 500, kit.CodeInternal},
	} {
		t.Run(tc.code, func(t *testing.T) {
			fake.fail(tc.err)
			got := call(t, srv, "role:all", "POST", "/api/v1/cases/"+caseID+"/submit", nil)
			if got.status != tc.status || got.code != tc.code {
				t.Fatalf("status %d code %q, want %d %q", got.status, got.code, tc.status, tc.code)
			}
			if strings.Contains(got.raw, "Canary") || strings.Contains(got.raw, "pq:") {
				t.Fatalf("internal detail leaked: %s", got.raw)
			}
		})
	}
}
