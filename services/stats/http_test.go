package stats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/authz"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/kit/contract"
)

// testAuthn lets the principal set by serve through; a request without one
// stays anonymous and the authorisation middleware answers 401.
func testAuthn(next endpoint.Endpoint) endpoint.Endpoint { return next }

func serve(t *testing.T, f *fixture) *httptest.Server {
	t.Helper()
	enf, err := authz.Load("")
	if err != nil {
		t.Fatal(err)
	}
	h := MakeHTTPHandler(MakeServerEndpoints(f.s, testAuthn, enf, f.s), log.NewNopLogger())
	srv := httptest.NewServer(contract.Handler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if u := r.Header.Get("X-Test-User"); u != "" {
			ctx = auth.WithPrincipal(ctx, auth.Principal{UserID: u, OrgID: "org-9", Roles: strings.Split(r.Header.Get("X-Test-Roles"), ",")})
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path, body, user, role string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
		req.Header.Set("X-Test-Roles", role)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (f *fixture) auditCount(t *testing.T, action, outcome, user string) int {
	t.Helper()
	var n int
	err := f.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox WHERE topic = 'audit'
		AND payload LIKE $1 AND payload LIKE $2 AND payload LIKE $3`,
		`%"action":"`+action+`"%`, `%"outcome":"`+outcome+`"%`, `%"actor_user":"`+user+`"%`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHTTPAuthorisation(t *testing.T) {
	t.Parallel()
	type want struct{ catalogue, table, csv, report, create, release, snapshot, snapshotRead, list, ledger, series int }
	const ok, created, denied = http.StatusOK, http.StatusCreated, http.StatusForbidden
	no := want{denied, denied, denied, denied, denied, denied, denied, denied, denied, denied, denied}
	tests := []struct {
		role string
		want want
	}{
		{auth.RoleFrontlineOfficer, no},
		{auth.RoleNGOCaseworker, no},
		{auth.RoleCoordinator, no},
		{auth.RoleDecisionMaker, no},
		{auth.RoleGuardian, no},
		{auth.RoleCommissionAnalyst, want{ok, ok, ok, ok, created, ok, created, ok, ok, ok, ok}},
		{auth.RoleAuditor, no},
		{auth.RoleOrgAdmin, no},
		{auth.RoleSystemAdmin, no},
		{"", want{401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401}},
	}
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		f.send(t, registered("k1", "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual"))
		if _, err := f.s.CreateRelease(f.ctx, ReleaseSpec{Name: "shared", Epsilon: 10}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"2026-10", "2026-Q4", "2026"} {
			if _, err := f.release("r-"+p, p); err != nil {
				t.Fatal(err)
			}
		}
		srv := serve(t, f)
		// The roles' rows run side by side on the one server (each role its
		// own user, release names and audit rows), as subtests started
		// together rather than parallel tests: those would each wait for a
		// slot behind the package's other tests.
		var wg sync.WaitGroup
		defer wg.Wait()
		for _, tc := range tests {
			name := tc.role
			if name == "" {
				name = "anonymous"
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				t.Run(name, func(t *testing.T) {
					user := ""
					if tc.role != "" {
						user = "user-" + tc.role
					}
					for _, c := range []struct {
						method, path, body string
						want               int
					}{
						{"GET", "/api/v1/stats/tables", "", tc.want.catalogue},
						{"GET", "/api/v1/stats/tables/region_responder?period=2026-Q4", "", tc.want.table},
						{"GET", "/api/v1/stats/tables/unmet_needs?period=2026&format=csv", "", tc.want.csv},
						{"GET", "/api/v1/stats/report/2026", "", tc.want.report},
						{"POST", "/api/v1/stats/releases", `{"name":"r-` + name + `","epsilon":1}`, tc.want.create},
						{"GET", "/api/v1/stats/releases/shared/tables/region_responder?period=2026-Q4", "", tc.want.release},
						{"POST", "/api/v1/stats/releases", `{"name":"s-` + name + `","period":"2026-09"}`, tc.want.snapshot},
						{"GET", "/api/v1/stats/releases/r-2026-10/tables/region_responder", "", tc.want.snapshotRead},
						{"GET", "/api/v1/stats/releases", "", tc.want.list},
						{"GET", "/api/v1/stats/ledger?period=2026-Q4", "", tc.want.ledger},
						{"GET", "/api/v1/stats/tables/children/series?from=2026-Q1&to=2026-Q4", "", tc.want.series},
					} {
						code, body, _ := do(t, srv, c.method, c.path, c.body, user, tc.role)
						if code != c.want {
							t.Errorf("%s %s: status %d, want %d (%s)", c.method, c.path, code, c.want, body)
						}
					}
					if tc.role != "" && tc.want.table == denied {
						if n := f.auditCount(t, "stats.tables.read", "denied", user); n != 5 {
							t.Errorf("%d denials audited, want 5", n)
						}
					}
					if tc.role == auth.RoleCommissionAnalyst {
						if n := f.auditCount(t, "stats.table.read", "allowed", user); n != 2 {
							t.Errorf("%d table reads audited, want 2", n)
						}
					}
				})
			}()
		}
	})
}

func TestHTTPTablesAndClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), nil)
	f.sendN(t, 30, func(i int) facts.Event {
		return registered(fmt.Sprintf("k%02d", i), "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual", "labour")
	})
	for _, p := range []string{"2026-11", "2026-Q4", "2026"} {
		if _, err := f.release("first-"+p, p); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, f)
	c, err := NewClient(srv.URL, &http.Client{Transport: analystTransport{}})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := c.Table(f.ctx, TableExploitationGenderAge, "2026-Q4")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRelease(f.ctx, ReleaseSpec{Name: "q4-again", Period: "2026-Q4"}); !errors.Is(err, ErrReleaseTooSmall) {
		t.Errorf("a second release of an unchanged quarter: %v, want %v", err, ErrReleaseTooSmall)
	}
	if code, body, _ := do(t, srv, "POST", "/api/v1/stats/releases", `{"name":"q4-again","period":"2026-Q4"}`, "a",
		auth.RoleCommissionAnalyst); code != http.StatusConflict || !strings.Contains(body, `"release_too_small"`) {
		t.Errorf("refused release over HTTP: %d %s", code, body)
	}
	cell, _ := tb.Find(unitCases, "sexual", "female", "adult")
	if cell.Value == nil || *cell.Value < 28 || *cell.Value > 32 {
		t.Errorf("30 cases published as %s", value(cell))
	}
	empty, _ := tb.Find(unitCases, "organ_removal", "male", "child")
	if !empty.Suppressed || empty.Value != nil {
		t.Errorf("an empty cell is published as %s, want suppressed", value(empty))
	}
	for _, bad := range []struct {
		name, period string
		want         error
	}{
		{"no_such_table", "2026", ErrUnknownTable},
		{TableUnmetNeeds, "2026-13", ErrBadPeriod},
		{TableUnmetNeeds, "26", ErrBadPeriod},
	} {
		if _, err := c.Table(f.ctx, bad.name, bad.period); !errors.Is(err, bad.want) {
			t.Errorf("Table(%s, %s) = %v, want %v", bad.name, bad.period, err, bad.want)
		}
	}
	code, body, h := do(t, srv, "GET", "/api/v1/stats/tables/exploitation_gender_age?period=2026-11&format=csv", "", "a", auth.RoleCommissionAnalyst)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") ||
		!strings.Contains(body, "cases,sexual,SexualExploitation,female,Feminine,adult,") ||
		!strings.Contains(body, "cases,organ_removal,OrganRemoval,male,Masculine,child,,true") {
		t.Errorf("csv export: %d %s", code, body[:min(len(body), 400)])
	}
	report, err := c.Report(f.ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	html := string(report)
	for _, want := range []string{"<svg", "<rect", "<table", "suppressed"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, banned := range []string{"http://", "https://", "<script", "<link", "src="} {
		if strings.Contains(strings.ReplaceAll(html, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("report refers to an external asset: %q", banned)
		}
	}
	if _, err := c.Report(f.ctx, 26); !errors.Is(err, ErrBadYear) && !errors.Is(err, kit.ErrNotFound) {
		t.Errorf("year 26: %v", err)
	}
}

type analystTransport struct{}

func (analystTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-User", "analyst-2")
	r.Header.Set("X-Test-Roles", auth.RoleCommissionAnalyst)
	return http.DefaultTransport.RoundTrip(r)
}

// The stored annual report answers the commission's analysts alone, like
// the tables it is made of; every other role is refused and the refusal
// audited.
func TestHTTPAnnualReportAuthorisation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), nil)
	f.send(t, registered("k1", "2026-11", "MA-01", "female", "adult", "abroad", "ngo", "sexual"))
	if _, err := f.release("r-2026", "2026"); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, f)
	for _, tc := range []struct {
		role string
		want int
	}{
		{auth.RoleCommissionAnalyst, http.StatusOK},
		{auth.RoleFrontlineOfficer, http.StatusForbidden},
		{auth.RoleNGOCaseworker, http.StatusForbidden},
		{auth.RoleCoordinator, http.StatusForbidden},
		{auth.RoleDecisionMaker, http.StatusForbidden},
		{auth.RoleAuditor, http.StatusForbidden},
		{auth.RoleOrgAdmin, http.StatusForbidden},
		{auth.RoleSystemAdmin, http.StatusForbidden},
		{"", http.StatusUnauthorized},
	} {
		user := ""
		if tc.role != "" {
			user = "annual-" + tc.role
		}
		if code, body, _ := do(t, srv, "GET", "/api/v1/stats/annual-reports/2026", "", user, tc.role); code != tc.want {
			t.Errorf("%q: status %d, want %d (%s)", tc.role, code, tc.want, body)
		}
		if tc.role != "" && tc.want == http.StatusForbidden {
			if n := f.auditCount(t, "stats.tables.read", "denied", user); n != 1 {
				t.Errorf("%q: %d denials audited, want 1", tc.role, n)
			}
		}
	}
	if code, _, _ := do(t, srv, "GET", "/api/v1/stats/annual-reports/26", "", "annual-a", auth.RoleCommissionAnalyst); code != http.StatusBadRequest {
		t.Errorf("a two-digit year: status %d, want 400", code)
	}
}
