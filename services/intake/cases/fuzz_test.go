package cases

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/transport/transporttest"
)

func FuzzDecodeRegistration(f *testing.F) {
	transporttest.FuzzBody(f, decodeRegisterRequest, func(t *testing.T, _ string, req any) {
		if r := req.(registrationRequest); r.CaseID != "" {
			t.Fatalf("registration decoded with a case id %q", r.CaseID)
		}
	},
		`{"route":"nrm","identified_on":"2026-11-20","region":"MA-06","gender":"female","age_group":"adult","nationalities":["NG"],"exploitation_types":["sexual"],"exploitation_location":"both","needs":["shelter"],"languages":["en"],"consent":{"assistance":true,"nrm_referral":true,"data_sharing":true},"identity":{"full_name":"A"},"narrative":{"account":"B"}}`,
		`{"route":"nrm","owner_org":"x"}`, `{"identity":{"full_name":1}}`, `{"draft":true}`, `[]`, `{`)
}

func FuzzDecodeDraftUpdate(f *testing.F) {
	transporttest.FuzzBody(f, decodeUpdateDraftRequest, func(t *testing.T, id string, req any) {
		if r := req.(registrationRequest); r.CaseID != id || !casefile.ValidID(id) {
			t.Fatalf("case id %q, path %q", r.CaseID, id)
		}
	}, `{"draft":true,"route":"assistance","health":{"notes":"n"}}`, `{"status":"submitted"}`, `null`)
}

func FuzzDecodeConsent(f *testing.F) {
	transporttest.FuzzBody(f, decodeConsentRequest, func(t *testing.T, id string, req any) {
		if r := req.(consentRequest); r.CaseID != id || !casefile.ValidID(id) {
			t.Fatalf("case id %q, path %q", r.CaseID, id)
		}
	}, `{"assistance":true,"nrm_referral":false,"data_sharing":true,"share_with":["ngo"],"explained_in":"ar","interpreter":true,"expires_on":"2027-01-01"}`,
		`{"assistance":"yes"}`, `{"recorded_by":"x"}`)
}

func FuzzDecodeTransfer(f *testing.F) {
	transporttest.FuzzBody(f, decodeTransferRequest, func(t *testing.T, id string, req any) {
		r := req.(transferRequest)
		if r.CaseID != id || !casefile.ValidID(id) || !casefile.ValidID(r.OrgID) {
			t.Fatalf("transfer of %q to %q accepted on path %q", r.CaseID, r.OrgID, id)
		}
	}, `{"org_id":"6ba7b810-9dad-41d1-80b4-00c04fd430c8"}`, `{"org_id":""}`, `{"org_id":7}`, `{"owner_org":"x"}`)
}

func FuzzDecodeLink(f *testing.F) {
	transporttest.FuzzBody(f, decodeLinkRequest, func(t *testing.T, id string, req any) {
		r := req.(linkRequest)
		if r.CaseID != id || !casefile.ValidID(id) || !casefile.ValidID(r.NotificationID) {
			t.Fatalf("link of %q to %q accepted on path %q", r.CaseID, r.NotificationID, id)
		}
	}, `{"notification_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}`, `{"notification_id":"x"}`, `{}`)
}

// FuzzDecodeListQuery fuzzes the query strings of both list endpoints.
func FuzzDecodeListQuery(f *testing.F) {
	for _, s := range []string{"", "status=draft&limit=50", "after=c2&limit=200", "limit=0", "limit=201",
		"status=closed", "status=draft&status=submitted", "owner_org=x", "after=%00", "limit=1e3", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = query
		for _, dec := range []httptransport.DecodeRequestFunc{decodeListCasesRequest, decodeDuplicatesRequest} {
			req, err := dec(context.Background(), r)
			if err != nil {
				transporttest.CheckDecoded(t, err)
				continue
			}
			q := req.(listRequest).Query
			if q.Limit < 0 || q.Limit > MaxListLimit {
				t.Fatalf("limit %d accepted", q.Limit)
			}
			if q.Status != "" && !slices.Contains(listStatuses, q.Status) {
				t.Fatalf("status %q accepted", q.Status)
			}
			if q.After != "" && !cursorPattern.MatchString(q.After) {
				t.Fatalf("cursor %q accepted", q.After)
			}
		}
	})
}
