package workflow

import (
	"strings"
	"testing"

	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/transport/transporttest"
)

func FuzzDecodeEntry(f *testing.F) {
	transporttest.FuzzBody(f, decodeEntryRequest, func(t *testing.T, id string, req any) {
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
