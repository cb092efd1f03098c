package grants

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
)

const fuzzCaseID = "0f8fad5b-d9cb-469f-a165-70867728950e"

// checkDecoded fails t unless err is nil or a client error with a code.
func checkDecoded(t *testing.T, err error) {
	t.Helper()
	var e *kit.Error
	if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Code == "" {
		t.Fatalf("decoder error %v is not a client error with a code", err)
	}
}

// fuzzBody fuzzes a decoder over the path id and the body: it never
// panics, refuses with a 4xx *kit.Error, and what it accepts passes valid.
// Decoders that read the id accept it only as a canonical UUID.
func fuzzBody(f *testing.F, dec httptransport.DecodeRequestFunc, valid func(t *testing.T, id string, req any), seeds ...string) {
	for _, s := range seeds {
		f.Add(fuzzCaseID, []byte(s))
	}
	f.Add("not-a-uuid", []byte(seeds[0]))
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.SetPathValue("id", id)
		req, err := dec(context.Background(), r)
		if err != nil {
			checkDecoded(t, err)
			return
		}
		valid(t, id, req)
	})
}

func FuzzDecodeGrant(f *testing.F) {
	fuzzBody(f, decodeGrantRequest, func(t *testing.T, id string, req any) {
		g := req.(grantRequest).Grant
		if g.CaseID != id || !casefile.ValidID(id) || !casefile.ValidID(g.OrgID) {
			t.Fatalf("grant for case %q org %q accepted on path %q", g.CaseID, g.OrgID, id)
		}
	}, `{"org_id":"6ba7b810-9dad-41d1-80b4-00c04fd430c8","sections":["narrative","health"],"purpose":"referral","referral_id":"r"}`,
		`{"case_id":"0f8fad5b-d9cb-469f-a165-70867728950e","org_id":"6ba7b810-9dad-41d1-80b4-00c04fd430c8","sections":[],"purpose":"guardian"}`,
		`{"case_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","org_id":"6ba7b810-9dad-41d1-80b4-00c04fd430c8"}`,
		`{"org_id":"6ba7b810-9dad-41d1-80b4-00c04fd430c8","status":"active"}`)
}

// FuzzDecodePathIDs fuzzes the decoders that read ids from the path and
// take no body.
func FuzzDecodePathIDs(f *testing.F) {
	f.Add(fuzzCaseID, "7c9e6679-7425-40de-944b-e07fc1f90ae7", []byte(nil))
	f.Add(fuzzCaseID, "7c9e6679-7425-40de-944b-e07fc1f90ae7", []byte(`{}`))
	f.Add(fuzzCaseID, "7c9e6679-7425-40de-944b-e07fc1f90ae7", []byte(`{"status":"active"}`))
	f.Add("0F8FAD5B-D9CB-469F-A165-70867728950E", "", []byte(nil))
	f.Add("../../etc/passwd", "' OR 1=1 --", []byte(`{`))
	f.Fuzz(func(t *testing.T, id, gid string, body []byte) {
		for _, dec := range []httptransport.DecodeRequestFunc{decodeCaseRequest, decodeGrantIDRequest} {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			r.SetPathValue("id", id)
			r.SetPathValue("gid", gid)
			req, err := dec(context.Background(), r)
			if err != nil {
				checkDecoded(t, err)
				continue
			}
			var caseID, grantID string
			switch v := req.(type) {
			case caseRequest:
				caseID, grantID = v.CaseID, gid
			case grantIDRequest:
				caseID, grantID = v.CaseID, v.GrantID
				if !casefile.ValidID(grantID) {
					t.Fatalf("grant id %q accepted", grantID)
				}
			}
			if caseID != id || grantID != gid || !casefile.ValidID(id) {
				t.Fatalf("ids %q %q decoded from %q %q", caseID, grantID, id, gid)
			}
		}
	})
}
