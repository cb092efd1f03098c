package identity

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/kit"
)

// fuzzDecoder checks that a body decoder never panics, and that whatever it
// refuses it refuses with a client error carrying a stable code.
func fuzzDecoder(f *testing.F, dec httptransport.DecodeRequestFunc, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		_, err := dec(context.Background(), r)
		if err == nil {
			return
		}
		var e *kit.Error
		if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Code == "" {
			t.Fatalf("decoder error %v is not a client error with a code", err)
		}
	})
}

func FuzzDecodeLoginRequest(f *testing.F) {
	fuzzDecoder(f, decodeLoginRequest, `{"email":"a@example.org","password":"p","otp":"123456"}`, `{"email":1}`, `{`)
}

func FuzzDecodeRefreshRequest(f *testing.F) {
	fuzzDecoder(f, decodeRefreshRequest, `{"refresh_token":"abc"}`, `{"refresh_token":null}`, `[]`)
}

func FuzzDecodeCreateOrgRequest(f *testing.F) {
	fuzzDecoder(f, decodeCreateOrgRequest, `{"name":"NGO","kind":"ngo","region":"MA-01"}`, `{"kind":["ngo"]}`)
}

func FuzzDecodeCreateUserRequest(f *testing.F) {
	fuzzDecoder(f, decodeCreateUserRequest,
		`{"org_id":"00000000-0000-4000-8000-000000000000","email":"a@example.org","display_name":"A","roles":["auditor"],"password":"123456789012"}`,
		`{"roles":"auditor"}`, `{"x":1}`)
}

func FuzzDecodeRevocationsRequest(f *testing.F) {
	for _, s := range []string{"0", "12", "-1", "x", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, since string) {
		r := httptest.NewRequest(http.MethodGet, "/?since="+url.QueryEscape(since), nil)
		req, err := decodeRevocationsRequest(context.Background(), r)
		if err != nil {
			if kit.AsError(err).Status != http.StatusBadRequest {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if req.(revocationsRequest).Since < 0 {
			t.Fatal("negative cursor accepted")
		}
	})
}
