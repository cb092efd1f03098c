package workflow

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
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

func FuzzDecodeEntry(f *testing.F) {
	fuzzBody(f, decodeEntryRequest, func(t *testing.T, id string, req any) {
		r := req.(entryRequest)
		if r.CaseID != id {
			t.Fatalf("entry decoded for case %q from path id %q", r.CaseID, id)
		}
		if d := jsonDepth(r.Content); d > maxEntryDepth {
			t.Fatalf("entry content %d levels deep accepted", d)
		}
	},
		`{"type":"note","content":{"text":"a note"}}`,
		`{"type":"note","content":{"text":"[[[[ in a string ]]]]"}}`,
		`{"type":"note","content":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`}`,
		`{"type":"correction","content":{"text":"x"},"supersedes":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}`,
		`{"type":"unknown","content":{}}`, `{`)
}

func TestEntryDepthLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		depth int
		ok    bool
	}{{1, true}, {maxEntryDepth, true}, {maxEntryDepth + 1, false}, {10000, false}} {
		content := strings.Repeat(`{"a":`, tc.depth-1) + `{}` + strings.Repeat(`}`, tc.depth-1)
		err := validateEntry(casefile.EntryInput{Type: casefile.EntryNote, Content: []byte(content)})
		if (err == nil) != tc.ok {
			t.Errorf("depth %d: %v, want accepted=%v", tc.depth, err, tc.ok)
		}
	}
}
