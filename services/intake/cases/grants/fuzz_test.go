package grants

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/transport/transporttest"
)

func FuzzDecodeGrant(f *testing.F) {
	transporttest.FuzzBody(f, decodeGrantRequest, func(t *testing.T, id string, req any) {
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
	f.Add(transporttest.CaseID, "7c9e6679-7425-40de-944b-e07fc1f90ae7", []byte(nil))
	f.Add(transporttest.CaseID, "7c9e6679-7425-40de-944b-e07fc1f90ae7", []byte(`{}`))
	f.Add(transporttest.CaseID, "7c9e6679-7425-40de-944b-e07fc1f90ae7", []byte(`{"status":"active"}`))
	f.Add("0F8FAD5B-D9CB-469F-A165-70867728950E", "", []byte(nil))
	f.Add("../../etc/passwd", "' OR 1=1 --", []byte(`{`))
	f.Fuzz(func(t *testing.T, id, gid string, body []byte) {
		for _, dec := range []httptransport.DecodeRequestFunc{decodeCaseRequest, decodeGrantIDRequest} {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			r.SetPathValue("id", id)
			r.SetPathValue("gid", gid)
			req, err := dec(context.Background(), r)
			if err != nil {
				transporttest.CheckDecoded(t, err)
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
