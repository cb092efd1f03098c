package transporttest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	httptransport "github.com/go-kit/kit/transport/http"

	"github.com/nrm-project/nrm/pkg/kit"
)

// CaseID is the canonical case id the fuzz seeds are given in the path.
const CaseID = "0f8fad5b-d9cb-469f-a165-70867728950e"

// CheckDecoded fails t unless err is a client error with a code.
func CheckDecoded(t *testing.T, err error) {
	t.Helper()
	var e *kit.Error
	if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 || e.Code == "" {
		t.Fatalf("decoder error %v is not a client error with a code", err)
	}
}

// FuzzBody fuzzes a decoder over the path id and the body: it never
// panics, refuses with a 4xx *kit.Error, and what it accepts passes valid.
// Decoders that read the id accept it only as a canonical UUID.
func FuzzBody(f *testing.F, dec httptransport.DecodeRequestFunc, valid func(t *testing.T, id string, req any), seeds ...string) {
	for _, s := range seeds {
		f.Add(CaseID, []byte(s))
	}
	f.Add("not-a-uuid", []byte(seeds[0]))
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.SetPathValue("id", id)
		req, err := dec(context.Background(), r)
		if err != nil {
			CheckDecoded(t, err)
			return
		}
		valid(t, id, req)
	})
}
