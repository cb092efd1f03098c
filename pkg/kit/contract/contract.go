package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// SpecPath is the document's path from the module root.
const SpecPath = "cmd/nrm/openapi.yaml"

// Spec is the loaded, validated document and its router.
type Spec struct {
	Doc    *openapi3.T
	router routers.Router
}

var (
	loadOnce sync.Once
	loaded   *Spec
	loadErr  error
)

const uuidPattern = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`

// Load reads the document from the module holding the working directory,
// once per test binary, and fails tb if it is not valid OpenAPI 3.0.
func Load(tb testing.TB) *Spec {
	tb.Helper()
	loadOnce.Do(func() { loaded, loadErr = loadSpec() })
	if loadErr != nil {
		tb.Fatalf("contract: %v", loadErr)
	}
	return loaded
}

func loadSpec() (*Spec, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	doc, err := LoadFile(filepath.Join(root, SpecPath))
	if err != nil {
		return nil, err
	}
	// Pages, the document itself and CSV tables are checked as text.
	for _, ct := range []string{"text/html", "application/yaml", "text/csv"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	// Tests serve on any address: routes are matched on the path alone.
	doc.Servers = nil
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("router: %w", err)
	}
	return &Spec{Doc: doc, router: r}, nil
}

// LoadFile loads and validates an OpenAPI document.
func LoadFile(path string) (*openapi3.T, error) {
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(uuidPattern))
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("%s is not valid OpenAPI: %w", path, err)
	}
	return doc, nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Handler wraps h so that every exchange through it is checked against
// the document; a drift fails tb.
func Handler(tb testing.TB, h http.Handler) http.Handler {
	tb.Helper()
	s := Load(tb)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := s.Check(r, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
			report(tb, r.Method, r.URL.Path, err)
		}
	})
}

// Transport wraps rt (nil: http.DefaultTransport) so that every exchange
// through it is checked against the document; a drift fails tb.
func Transport(tb testing.TB, rt http.RoundTripper) http.RoundTripper {
	tb.Helper()
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &transport{tb: tb, spec: Load(tb), next: rt}
}

type transport struct {
	tb   testing.TB
	spec *Spec
	next http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(out))
	if err != nil {
		return resp, err
	}
	check := r.Clone(r.Context())
	check.Body = io.NopCloser(bytes.NewReader(body))
	if err := t.spec.Check(check, resp.StatusCode, resp.Header, out); err != nil {
		report(t.tb, r.Method, r.URL.Path, err)
	}
	return resp, nil
}

// Check validates one exchange: r (its body readable), and the answer's
// status, header and body.
func (s *Spec) Check(r *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := s.router.FindRoute(r)
	if err != nil {
		// Unknown paths and methods are the router's to refuse; pages
		// outside /api/ are the web interface's, not the API's.
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed || !strings.HasPrefix(r.URL.Path, "/api/") {
			return nil
		}
		return fmt.Errorf("answered %d on a route the document does not describe", status)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	ctx := context.Background()
	if reqErr := openapi3filter.ValidateRequest(ctx, in); reqErr != nil && status < 400 {
		return fmt.Errorf("answered %d to a request the document refuses: %v", status, reqErr)
	}
	if err := undescribedBody(route, status, header, body); err != nil {
		return err
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("answer %d: %v", status, err)
	}
	return checkErrorCode(route.Operation, status, body)
}

// undescribedBody refuses a JSON answer whose status the document gives no
// content: kin-openapi would let any body through.
func undescribedBody(route *routers.Route, status int, header http.Header, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mt != "application/json" {
		return nil
	}
	ref := route.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil || len(ref.Value.Content) > 0 {
		return nil
	}
	return fmt.Errorf("answer %d carries a JSON body the document does not describe: %.200s", status, body)
}
