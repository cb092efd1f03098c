package kit

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestJSONErrorsRewritesMuxAnswers(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /things", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(201) })
	mux.HandleFunc("GET /gone", func(w http.ResponseWriter, _ *http.Request) { WriteError(w, ErrNotFound) })
	h := JSONErrors(mux)
	cases := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/things", 405, CodeMethodNotAllowed},
		{"GET", "/nowhere", 404, CodeNotFound},
		{"POST", "/things", 201, ""},
		{"GET", "/gone", 404, CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if tc.code != "" && !strings.Contains(w.Body.String(), `"code":"`+tc.code+`"`) {
				t.Fatalf("body %q", w.Body.String())
			}
			if strings.Contains(w.Body.String(), "404 page not found") || strings.Contains(w.Body.String(), "Method Not Allowed") {
				t.Fatalf("plain-text body leaked through: %q", w.Body.String())
			}
		})
	}
}
