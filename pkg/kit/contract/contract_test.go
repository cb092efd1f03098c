package contract

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The document is valid OpenAPI 3.0.3, the version Go's generators and
// validators read in full.
func TestDocumentIsValid(t *testing.T) {
	s := Load(t)
	if s.Doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi: %s, want 3.0.3", s.Doc.OpenAPI)
	}
	if n := len(s.Doc.Paths.Map()); n < 60 {
		t.Errorf("only %d paths", n)
	}
}

// Every operation has an operationId, camelCase and unique: generated
// clients name their methods after it, so it is part of the contract.
func TestEveryOperationHasAStableID(t *testing.T) {
	s := Load(t)
	camel := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	seen := map[string]string{}
	for path, item := range s.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			switch id := op.OperationID; {
			case id == "":
				t.Errorf("%s has no operationId", where)
			case !camel.MatchString(id):
				t.Errorf("%s: operationId %q is not camelCase", where, id)
			case seen[id] != "":
				t.Errorf("%s: operationId %q already names %s", where, id, seen[id])
			default:
				seen[id] = where
			}
		}
	}
}

// Check catches each kind of drift, and lets a conforming exchange and a
// refused bad request through.
func TestCheckCatchesDrift(t *testing.T) {
	s := Load(t)
	cases := []struct {
		name, method, path, reqBody string
		status                      int
		respBody                    string
		drift                       string
	}{
		{"conforming", "GET", "/healthz", "", 200, `{"status":"ok"}`, ""},
		{"undocumented status", "GET", "/api/v1/me", "", 418, "", "status is not supported"},
		{"201 where 200 is documented", "POST", "/api/v1/auth/refresh", `{"refresh_token":"x"}`, 201, "", "status is not supported"},
		{"error body without its code", "GET", "/api/v1/me", "", 401, `{"error":{"message":"no"}}`, "code"},
		{"accepted a request the document refuses", "POST", "/api/v1/auth/login", `{"email":"a@b","password":"p","otp":"12"}`, 200, "", "refuses"},
		{"refused a request the document refuses", "POST", "/api/v1/auth/login", `{"email":"a@b","password":"p","otp":"12"}`, 400, `{"error":{"code":"validation_failed","message":"otp"}}`, ""},
		{"unknown route answered 200", "GET", "/api/v1/nowhere", "", 200, "", "does not describe"},
		{"unknown route answered 404", "GET", "/api/v1/nowhere", "", 404, "", ""},
		{"undescribed JSON body", "POST", "/api/v1/users/7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b00/disable", "", 204, `{"x":1}`, "does not describe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.reqBody))
			if c.reqBody != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			h := http.Header{}
			if c.respBody != "" {
				h.Set("Content-Type", "application/json; charset=utf-8")
			}
			err := s.Check(r, c.status, h, []byte(c.respBody))
			switch {
			case c.drift == "" && err != nil:
				t.Errorf("drift reported: %v", err)
			case c.drift != "" && (err == nil || !strings.Contains(err.Error(), c.drift)):
				t.Errorf("got %v, want a drift naming %q", err, c.drift)
			}
		})
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// Both wrappers report a drifting handler to the test, and pass the
// answer through unchanged.
func TestWrappersReportDrift(t *testing.T) {
	drifting := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(`{"x":1}`))
	})
	for name, wrap := range map[string]func(tb testing.TB) *http.Client{
		"handler": func(tb testing.TB) *http.Client {
			srv := httptest.NewServer(Handler(tb, drifting))
			t.Cleanup(srv.Close)
			return &http.Client{Transport: rewrite(srv.URL)}
		},
		"transport": func(tb testing.TB) *http.Client {
			srv := httptest.NewServer(drifting)
			t.Cleanup(srv.Close)
			return &http.Client{Transport: Transport(tb, rewrite(srv.URL))}
		},
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{TB: t}
			resp, err := wrap(rec).Get("http://nrm.test/api/v1/me")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusTeapot || string(b) != `{"x":1}` {
				t.Errorf("answer changed: %d %s", resp.StatusCode, b)
			}
			if len(rec.failures) != 1 || !strings.Contains(rec.failures[0], "status is not supported") {
				t.Errorf("failures %q, want the undocumented 418", rec.failures)
			}
		})
	}
}

// rewrite sends every request to base, keeping its path.
func rewrite(base string) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		u, _ := url.Parse(base)
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// BenchmarkCheck measures the cost one exchange adds to a test: a
// registration (a full Registration body) answered with a case.
func BenchmarkCheck(b *testing.B) {
	s := Load(b)
	req := `{"route":"nrm","identified_on":"2026-11-20","region":"MA-06","gender":"female","age_group":"adult","nationalities":["NG"],` +
		`"exploitation_types":["labour"],"exploitation_location":"both","needs":["shelter"],"languages":["en"],"consent":{"assistance":true}}`
	resp := `{"id":"7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b00","reference":"NRM-2026-000001","route":"nrm","status":"registered",` +
		`"owner_org":"7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b01","registered_by":"u","identified_on":"2026-11-20","region":"MA-06","gender":"female",` +
		`"age_group":"adult","treated_as_child":false,"nationalities":["NG"],"exploitation_types":["labour"],"exploitation_location":"both",` +
		`"needs":["shelter"],"languages":["en"],"dependants":0,"unaccompanied":false,"created_at":"2026-11-20T10:00:00Z","updated_at":"2026-11-20T10:00:00Z"}`
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for b.Loop() {
		r := httptest.NewRequest("POST", "/api/v1/cases", strings.NewReader(req))
		r.Header.Set("Content-Type", "application/json")
		if err := s.Check(r, 201, h, []byte(resp)); err != nil {
			b.Fatal(err)
		}
	}
}

// Test servers answer side by side: one document checks them all at once
// (run with -race).
func TestCheckIsSafeConcurrently(t *testing.T) {
	s := Load(t)
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				r := httptest.NewRequest("GET", "/api/v1/me", nil)
				if err := s.Check(r, 200, h, []byte(`{"user_id":"u","org_id":"o","roles":["auditor"]}`)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// Every operation lists, per error status it documents, the codes it
// answers with (x-error-codes), and lists only statuses it documents:
// a client can tell every refusal apart from the document alone.
func TestErrorCodesListedPerOperation(t *testing.T) {
	s := Load(t)
	code := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for path, item := range s.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			var errorStatuses []string
			for st, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && strings.HasSuffix(mt.Schema.Ref, "/schemas/Error") {
					errorStatuses = append(errorStatuses, st)
				}
			}
			if len(errorStatuses) == 0 {
				continue
			}
			codes, err := ErrorCodes(op)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			for _, st := range errorStatuses {
				if len(codes[st]) == 0 {
					t.Errorf("%s (%s) documents %s but lists no code for it", where, op.OperationID, st)
				}
			}
			for st, cs := range codes {
				if !slices.Contains(errorStatuses, st) {
					t.Errorf("%s (%s) lists codes for %s, which it does not document as an error", where, op.OperationID, st)
				}
				for _, c := range cs {
					if !code.MatchString(c) {
						t.Errorf("%s (%s): %q is not a code", where, op.OperationID, c)
					}
				}
			}
		}
	}
}

// An error answer whose code its operation does not list fails the test
// with a line naming operation, status and code; with the record file set
// the line goes there instead, for internal/errcodes to add.
func TestUndocumentedErrorCode(t *testing.T) {
	s := Load(t)
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	r := httptest.NewRequest("GET", "/api/v1/me", nil)
	if err := s.Check(r, 401, h, []byte(`{"error":{"code":"unauthenticated","message":"no"}}`)); err != nil {
		t.Fatalf("a listed code refused: %v", err)
	}
	err := s.Check(r, 401, h, []byte(`{"error":{"code":"session_haunted","message":"no"}}`))
	var undoc *UndocumentedCode
	if !errors.As(err, &undoc) || undoc.Record.String() != "getMe 401 session_haunted" {
		t.Fatalf("got %v, want the undocumented code getMe 401 session_haunted", err)
	}
	// A listed code under another status is not listed.
	if err := s.Check(r, 403, h, []byte(`{"error":{"code":"unauthenticated","message":"no"}}`)); !errors.As(err, &undoc) {
		t.Errorf("unauthenticated under 403: %v, want undocumented", err)
	}

	file := filepath.Join(t.TempDir(), "codes")
	t.Setenv(RecordEnv, file)
	rec := &recorder{TB: t}
	report(rec, "GET", "/api/v1/me", err)
	report(rec, "GET", "/api/v1/me", fmt.Errorf("answer 401: some other drift"))
	b, _ := os.ReadFile(file)
	if string(b) != "getMe 401 session_haunted\n" || len(rec.failures) != 1 || !strings.Contains(rec.failures[0], "other drift") {
		t.Errorf("record file %q, failures %q: want the code recorded and only the other drift failing", b, rec.failures)
	}

	missing := MissingCodes(s.Doc, []Record{{"getMe", 401, "unauthenticated"}, {"getMe", 403, "unauthenticated"}, {"getMe", 403, "unauthenticated"}})
	if len(missing) != 1 || missing[0].String() != "getMe 403 unauthenticated" {
		t.Errorf("missing %v, want the one unlisted record once", missing)
	}
}

// AddErrorCodes writes codes into an operation's list, creating the list
// or the status, sorted, and leaves every other line alone.
func TestAddErrorCodes(t *testing.T) {
	src := strings.Join([]string{
		"  /a:", "    get:", "      operationId: getA", "      responses:", "        '404': {}",
		"    post:", "      operationId: postA", "      x-error-codes:", "        '409': [conflict]", "        '500': [internal]", "      responses:", "",
	}, "\n")
	out, err := AddErrorCodes([]byte(src), []Record{{"getA", 404, "not_found"}, {"postA", 409, "already_done"}, {"postA", 403, "forbidden"}})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"  /a:", "    get:", "      operationId: getA", "      x-error-codes:", "        '404': [not_found]", "      responses:", "        '404': {}",
		"    post:", "      operationId: postA", "      x-error-codes:", "        '403': [forbidden]", "        '409': [already_done, conflict]", "        '500': [internal]", "      responses:", "",
	}, "\n")
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if _, err := AddErrorCodes([]byte(src), []Record{{"nowhere", 404, "not_found"}}); err == nil {
		t.Error("a record of an unknown operation was placed somewhere")
	}
}

// GenericCodes fills an operation's documented statuses with the shared
// middleware's codes, never claiming a token check on a public route.
func TestGenericCodes(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := LoadFile(filepath.Join(root, SpecPath))
	if err != nil {
		t.Fatal(err)
	}
	if got := GenericCodes(doc); len(got) != 0 {
		t.Errorf("the document lacks lists the middleware fills: %v", got)
	}
	delete(doc.Paths.Find("/api/v1/me").Get.Extensions, ErrorCodesKey)
	delete(doc.Paths.Find("/api/v1/auth/login").Post.Extensions, ErrorCodesKey)
	var got []string
	for _, r := range GenericCodes(doc) {
		got = append(got, r.String())
	}
	for _, want := range []string{"getMe 401 unauthenticated", "getMe 403 forbidden", "getMe 429 rate_limited", "getMe 500 internal", "login 400 invalid_json", "login 413 body_too_large"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
	for _, r := range got {
		if strings.HasPrefix(r, "login 401") || strings.HasPrefix(r, "login 403") {
			t.Errorf("%s: a public route gets no token check", r)
		}
	}
}
