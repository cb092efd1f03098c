package kit

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// A client's X-Request-Id reaches the logs and the append-only audit log,
// so only ids in a fixed format are kept: anything else, free text above
// all, is replaced by a fresh id.
func TestRequestIDFromClientsHasAFixedFormat(t *testing.T) {
	var seen string
	h := RequestContext(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = RequestID(r.Context())
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	fresh := regexp.MustCompile(`^[0-9a-f]{32}$`)
	cases := []struct {
		name, sent string
		kept       bool
	}{
		{"uuid", "7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b00", true},
		{"uuid upper case", "7B0C6F1E-3D0A-4C55-9D7E-2A4F7C9E1B00", true},
		{"own format", "0123456789abcdef0123456789abcdef", true},
		{"free text", "amina.benali.born.1999-04-02", false},
		{"name with underscores", "Jane_Doe_Casablanca_shelter", false},
		{"short word", "passport", false},
		{"uuid with text", "7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b00-jane", false},
		{"hex too long", "0123456789abcdef0123456789abcdef00", false},
		{"not hex", "0123456789abcdef0123456789abcdeg", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.sent != "" {
				req.Header.Set(RequestIDHeader, tc.sent)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			echoed := resp.Header.Get(RequestIDHeader)
			if echoed != seen {
				t.Fatalf("echoed %q, handler saw %q", echoed, seen)
			}
			if tc.kept && seen != tc.sent {
				t.Fatalf("well-formed id %q replaced by %q", tc.sent, seen)
			}
			if !tc.kept && (seen == tc.sent || !fresh.MatchString(seen)) {
				t.Fatalf("id %q: handler saw %q, want a fresh id", tc.sent, seen)
			}
		})
	}
}
