package contract

import (
	"net/http"
	"net/http/httptest"
	"strings"
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
